/** Influence metering: exact counterfactuals on canaries ({@code memaudit meter}). */
package dev.memaudit.audit.meter;
