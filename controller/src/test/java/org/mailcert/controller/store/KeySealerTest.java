package org.mailcert.controller.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailcert.controller.ControllerException;
import org.mailcert.proto.v1.SealedKey;

/** AES-GCM sealing of private keys. */
class KeySealerTest {
    @TempDir
    Path tmp;
    KeySealer sealer;

    @BeforeEach
    void setUp() throws ControllerException {
        sealer = new KeySealer(MasterKey.loadOrCreate(tmp.resolve("master.key")), new SecureRandom());
    }

    @Test
    void sealsRsaEcAndEd25519WithTheirAlgorithm() throws Exception {
        PrivateKey ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPrivate();
        for (PrivateKey key : new PrivateKey[] {Samples.rsa().getPrivate(), Samples.ec().getPrivate(), ed}) {
            SealedKey sealed = sealer.seal(key, "certificate:x:1");
            assertEquals(KeySealer.FORMAT, sealed.getFormat());
            assertEquals(12, sealed.getNonce().size());
            assertEquals(key.getAlgorithm(), sealed.getAlgorithm());
            assertEquals(key.getEncoded().length + 16, sealed.getCiphertext().size());
            PrivateKey opened = sealer.unseal(sealed, "certificate:x:1", "test key");
            assertArrayEquals(key.getEncoded(), opened.getEncoded());
        }
    }

    @Test
    void everySealUsesAFreshNonce() {
        PrivateKey key = Samples.ec().getPrivate();
        assertTrue(!sealer.seal(key, "a").getNonce().equals(sealer.seal(key, "a").getNonce()));
    }

    @Test
    void wrongAssociatedDataOrTamperingFailsClearly() {
        SealedKey sealed = sealer.seal(Samples.ec().getPrivate(), KeySealer.certificateAad("web", 1));
        ControllerException aad = assertThrows(ControllerException.class,
                () -> sealer.unseal(sealed, KeySealer.certificateAad("web", 2), "the key"));
        assertEquals(ControllerException.Kind.INTERNAL, aad.kind());
        assertEquals("cannot decrypt the key: wrong master key or tampered store", aad.getMessage());

        byte[] bytes = sealed.getCiphertext().toByteArray();
        bytes[5] ^= 1;
        SealedKey flipped = sealed.toBuilder().setCiphertext(ByteString.copyFrom(bytes)).build();
        assertThrows(ControllerException.class, () -> sealer.unseal(flipped, KeySealer.certificateAad("web", 1), "k"));

        SealedKey future = sealed.toBuilder().setFormat(2).build();
        ControllerException format = assertThrows(ControllerException.class,
                () -> sealer.unseal(future, KeySealer.certificateAad("web", 1), "k"));
        assertTrue(format.getMessage().contains("unknown sealed key format 2"), format.getMessage());
    }

    @Test
    void aKeyThatCannotBeExportedIsRefused() {
        PrivateKey opaque = new PrivateKey() {
            private static final long serialVersionUID = 1L;

            @Override
            public String getAlgorithm() {
                return "RSA";
            }

            @Override
            public String getFormat() {
                return null;
            }

            @Override
            public byte[] getEncoded() {
                return null;
            }
        };
        assertThrows(IllegalArgumentException.class, () -> sealer.seal(opaque, "controller:ca"));
    }
}
