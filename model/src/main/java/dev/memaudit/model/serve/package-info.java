/**
 * {@code memaudit serve}: an OpenAI-compatible HTTP server over the local DJL runtime (the JDK's
 * {@code com.sun.net.httpserver}), so that the HTTP backend can be checked against the local model
 * number for number, and a local model can be shared with tools that speak the OpenAI protocol.
 */
package dev.memaudit.model.serve;
