package dev.mandate.broker.admin.issuers;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Set;

/**
 * Where the broker may fetch an issuer's keys from (SECURITY.md "Admin"): https only, never
 * {@code file:}, never a link-local (169.254/16, fe80::/10) or cloud-metadata address; http and
 * loopback/private addresses only when insecure issuers are allowed for local use. Every address
 * the host resolves to is checked.
 */
final class JwksUriPolicy {

    private static final Set<String> METADATA_HOSTS = Set.of("metadata.google.internal", "metadata", "169.254.169.254",
            "fd00:ec2::254", "[fd00:ec2::254]");

    private final boolean allowInsecure;

    JwksUriPolicy(boolean allowInsecure) {
        this.allowInsecure = allowInsecure;
    }

    /** Null when acceptable, else why not. */
    String check(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (Exception e) {
            return "is not a URI";
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowInsecure && scheme.equals("http"))) {
            return allowInsecure ? "must be an http(s) URL" : "must be an https URL";
        }
        String host = uri.getHost();
        if (host == null || uri.getUserInfo() != null) {
            return "must name a host and no user info";
        }
        if (METADATA_HOSTS.contains(host.toLowerCase(Locale.ROOT))) {
            return "must not point at a cloud metadata address";
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return "host does not resolve";
        }
        for (InetAddress address : addresses) {
            byte[] raw = address.getAddress();
            boolean metadataV6 = raw.length == 16 && (raw[0] & 0xff) == 0xfd && raw[1] == 0 && (raw[2] & 0xff) == 0x0e
                    && (raw[3] & 0xff) == 0xc2 && raw[15] == 0x54 && isZero(raw, 4, 15) && raw[14] == 0x02;
            if (address.isLinkLocalAddress() || metadataV6) {
                return "must not point at a link-local or metadata address";
            }
            if (!allowInsecure && (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isAnyLocalAddress()
                    || (raw.length == 16 && (raw[0] & 0xfe) == 0xfc))) {
                return "must not point at a loopback or private address";
            }
        }
        return null;
    }

    private static boolean isZero(byte[] raw, int from, int to) {
        for (int i = from; i < to - 1; i++) {
            if (raw[i] != 0) {
                return false;
            }
        }
        return true;
    }
}
