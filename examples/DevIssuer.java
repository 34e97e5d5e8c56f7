// A stand-in workload-identity issuer for local use, with nothing but a JDK:
//   java examples/DevIssuer.java init <dir>                      generate an ES256 key, write <dir>/jwks.json
//   java examples/DevIssuer.java mint <dir> <iss> <sub> <aud>    print a workload JWT valid for 5 minutes
//   java examples/DevIssuer.java mint-many <dir> <iss> <sub> <aud> <n>   n of them, one per line (benchmarks)
// In production the JWT comes from SPIRE, Kubernetes or your CI provider instead.
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.UUID;

public class DevIssuer {

    static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("init")) {
            init(Path.of(args[1]));
        } else if (args.length == 5 && args[0].equals("mint")) {
            System.out.println(mint(Path.of(args[1]), args[2], args[3], args[4]));
        } else if (args.length == 6 && args[0].equals("mint-many")) {   // for benchmarks: one fresh JWT per line
            StringBuilder out = new StringBuilder();
            for (int i = 0, n = Integer.parseInt(args[5]); i < n; i++) {
                out.append(mint(Path.of(args[1]), args[2], args[3], args[4])).append('\n');
            }
            System.out.print(out);
        } else {
            System.err.println("usage: init <dir> | mint <dir> <iss> <sub> <aud>");
            System.exit(2);
        }
    }

    static void init(Path dir) throws Exception {
        Files.createDirectories(dir);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        var pair = generator.generateKeyPair();
        Path key = dir.resolve("key.p8");
        Files.write(key, pair.getPrivate().getEncoded());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        ECPublicKey pub = (ECPublicKey) pair.getPublic();
        String x = B64.encodeToString(fixed(pub.getW().getAffineX().toByteArray()));
        String y = B64.encodeToString(fixed(pub.getW().getAffineY().toByteArray()));
        String kid = B64.encodeToString(MessageDigest.getInstance("SHA-256").digest(
                ("{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + x + "\",\"y\":\"" + y + "\"}").getBytes(StandardCharsets.UTF_8)));
        Files.writeString(dir.resolve("kid"), kid);
        Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"use\":\"sig\",\"alg\":\"ES256\",\"kid\":\""
                + kid + "\",\"x\":\"" + x + "\",\"y\":\"" + y + "\"}]}");
        System.out.println("wrote " + dir.resolve("jwks.json"));
    }

    static String mint(Path dir, String iss, String sub, String aud) throws Exception {
        PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Files.readAllBytes(dir.resolve("key.p8"))));
        long now = System.currentTimeMillis() / 1000;
        String header = "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"kid\":\"" + Files.readString(dir.resolve("kid")).trim() + "\"}";
        String claims = "{\"iss\":\"" + iss + "\",\"sub\":\"" + sub + "\",\"aud\":\"" + aud + "\",\"iat\":" + now
                + ",\"exp\":" + (now + 300) + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
        String input = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(key);
        signer.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + B64.encodeToString(signer.sign());
    }

    /** A 32-byte big-endian coordinate, as JWK wants it. */
    static byte[] fixed(byte[] value) {
        byte[] out = new byte[32];
        int copy = Math.min(32, value.length);
        System.arraycopy(value, value.length - copy, out, 32 - copy, copy);
        return out;
    }
}
