/**
 * The mailcert agent: enrolls once with a join token ({@code identity}), keeps a Sync stream to the
 * controller ({@code sync}, over {@code transport}), installs the desired certificates through
 * {@code target}s, persists what it applied ({@code state}) and runs commands only through
 * {@code exec}. {@code cli} wires these together.
 */
package org.mailcert.agent;
