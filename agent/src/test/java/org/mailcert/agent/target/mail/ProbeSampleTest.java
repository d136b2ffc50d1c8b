package org.mailcert.agent.target.mail;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ProbeSampleTest {
    @Test
    void upToTheLimitEveryChangedNameIsProven() {
        List<String> names = IntStream.range(0, 32).mapToObj(i -> "mail.d" + i + ".example").toList();
        assertEquals(names, ProbeSample.of(names, n -> n, 32));
    }

    @Test
    void beyondTheLimitEveryCertificateIsProvenOnceAndTheRestIsSpreadEvenly() {
        // 5,000 names sharing 3 certificates: names 0, 1 and 2 carry the three certificates first.
        List<Integer> names = IntStream.range(0, 5000).boxed().toList();
        List<Integer> sample = ProbeSample.of(names, i -> "leaf" + (i % 3), 32);

        assertEquals(32, sample.size());
        assertTrue(sample.containsAll(List.of(0, 1, 2)), "one name per certificate: " + sample);
        assertTrue(sample.get(sample.size() - 1) > 4000, "the sample reaches the end of the list: " + sample);
        assertEquals(sample.stream().sorted().toList(), sample, "kept in the list's order");
    }

    @Test
    void whenThereAreMoreCertificatesThanRoomEachSampledNameHasItsOwn() {
        List<Integer> names = IntStream.range(0, 100).boxed().toList();
        List<Integer> sample = ProbeSample.of(names, i -> "leaf" + i, 10);
        assertEquals(10, sample.size());
        assertEquals(10, sample.stream().distinct().count());
    }
}
