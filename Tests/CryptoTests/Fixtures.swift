// SPDX-License-Identifier: Apache-2.0

/// Keys made once with the openssl command line (OpenSSL 3.0) for the reading tests; throwaway test keys.
enum Fixtures {
    /// `openssl ecparam -name prime256v1 -genkey -noout`: SEC1.
    static let sec1PrivateKey = """
        -----BEGIN EC PRIVATE KEY-----
        MHcCAQEEICEjV/+gNDPc4cYy6Z4nIUc1pIA+ob9dCmqmGOn9unUkoAoGCCqGSM49
        AwEHoUQDQgAELc4SzBOu6j7VOW1XdtMQrMEw4NsOzZOrZ89mBIVShXo146ev5oZw
        qiyGn7silVCP/XPoF16VRe+Wt5bakJVCzA==
        -----END EC PRIVATE KEY-----
        """
    /// `openssl ec -pubout` of `sec1PrivateKey`: SubjectPublicKeyInfo.
    static let sec1PublicKey = """
        -----BEGIN PUBLIC KEY-----
        MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAELc4SzBOu6j7VOW1XdtMQrMEw4NsO
        zZOrZ89mBIVShXo146ev5oZwqiyGn7silVCP/XPoF16VRe+Wt5bakJVCzA==
        -----END PUBLIC KEY-----
        """
    /// `openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64` of `sec1PublicKey`.
    static let sec1PublicKeyHint = "K9riUUqj8ZtLPuAOlkY65vAso/VmYThIvJb0XCxQR6k="
    /// `openssl genrsa -traditional 2048`: PKCS#1.
    static let pkcs1PrivateKey = """
        -----BEGIN RSA PRIVATE KEY-----
        MIIEowIBAAKCAQEAppoHspTe+R/EnnET6eIJkgKM3dWP59XZt0FectJo0ENKS01K
        ZEak00uAnuCZfHbIgqRMV5jKVrauHVxi0JTyW7v97InoZzVg8niH5KbgsEslxS8R
        0w/LvsxgOL3S5EyOnGa0P56IVGeMFNtY+LNfJzxY0QnUeKct0fCDz7LQnSLdNbOl
        iX8+iPhkEH//Q4Jy2KMm2WlIR+aY4jcDUo8LQsvT2xtwYaIoyGYtpBh1V1nnuNxi
        LNbvEff4umYLAR0uuKldzJX97fh1A9EeZVvIYCBWR/2LT8fzwGrFWRbcKBiuqzn3
        sTeUSpr1S9DOfAGacM10kiRZL2RofM+X5dn3swIDAQABAoIBAEQlZxamDFqMowlI
        KaQWYGHIB0TKEVX8RFTQOUjwRg1CKQaKM+62cr82+AKEzmN51uSRPeTqy4ESsj+y
        RX0aH9RkHiZ99oEY9XHY2YUuuWODKYzxhvH1WRrPUGCFTNkzc3YIEJyhRRR5UnRJ
        kKgR/s72wUGoKq+7emOQZOo1M13CdvtUtj6goOA8vSSgB3ymwVUWH4yWLfWkw7JE
        zBlRJTAIBUA7nPK1JAHBPfPUEU8ot3Sn5x+dlIVB5PymAYoLcRFuqDuPReR7r7ti
        +P31H85PlfvSoqMIgtSloIQd8GbLufazt7r2cEkAlpr5T2rFrPzGPaZhf5AI6ziy
        rbXi3XkCgYEA1ahNQZfSm9lB0fvaoQdzzdvqb/QqmULC8v35iiHe4bhqyghLXqVE
        3rSNKsTEdne7Ptl7I3i7vNZINtHV0y6pfUw5Cn3p0Mh0GQuKKsaQzZu0LEK3xGFe
        aDcLQ0+P33gKAakIuyZciHdABOz2DSZM5qnRH0Ni8ph9SrgS41VxRf0CgYEAx55m
        xFONB9Q5u5SSnICB6PksmqP8B+HTsb4TG3Lk6QVSCuZyxq5pULJN4j/xU4oVG9uE
        shkC/H+P6pDqdhrjDTKldqE3OdJGox/Q3/8Iuv/drdxHdoaOseMKcmM7tgWraJSf
        IX20O9GDah1mwDAi47Zz8JIs3VNt465afepBy28CgYA4KJa16PwYrtBYK0TaEqVj
        tKw4ZQtVYXDwgcU3g5Ob7OdU1z1IUVR63SZF2ZZyNSJocK2nMzLVfdVZY2o6qgcu
        wfw0P8hXcnjhpGDawXqKMKT5BUhcO+OerOku9hiw+lJXAWEkH/8ud3nCUa6S4kBQ
        WM540zOM5Hv6ScvdKTYu2QKBgQC7P9deqpFMmsNdNk0hCVrTU4mHtfOg4TFXNdlu
        kiQwgZEoMGvR+6FG1TtB1IFnv8t1SkH7XoLyoCY7/pwxFZ+OrceQtEG9t4YTVrD0
        raNe5sznXg6bHDWWoEcYbgWBBWh4vZFYNTZwNmRzkgjkl0LjIC85p6T2KGCYhuDT
        5H67eQKBgCqloIKbFAnrlyY2wqYEEalJKz3NZESJ3PeWKEcq1PWQ37H9tFfUgWJD
        yZfD0JIkB5oq12H9SYJAB749ehpml2HFelu/YYX2pVW61oJpNx5j1bAr0tz1JhH1
        e01VwQYtD3f2lo3UoemFVS1QZtQYz+Fb+D63vIMzrU7Tytur1C5i
        -----END RSA PRIVATE KEY-----
        """
    /// `openssl rsa -RSAPublicKey_out` of `pkcs1PrivateKey`: PKCS#1.
    static let pkcs1PublicKey = """
        -----BEGIN RSA PUBLIC KEY-----
        MIIBCgKCAQEAppoHspTe+R/EnnET6eIJkgKM3dWP59XZt0FectJo0ENKS01KZEak
        00uAnuCZfHbIgqRMV5jKVrauHVxi0JTyW7v97InoZzVg8niH5KbgsEslxS8R0w/L
        vsxgOL3S5EyOnGa0P56IVGeMFNtY+LNfJzxY0QnUeKct0fCDz7LQnSLdNbOliX8+
        iPhkEH//Q4Jy2KMm2WlIR+aY4jcDUo8LQsvT2xtwYaIoyGYtpBh1V1nnuNxiLNbv
        Eff4umYLAR0uuKldzJX97fh1A9EeZVvIYCBWR/2LT8fzwGrFWRbcKBiuqzn3sTeU
        Spr1S9DOfAGacM10kiRZL2RofM+X5dn3swIDAQAB
        -----END RSA PUBLIC KEY-----
        """
    /// `openssl rsa -pubout` of `pkcs1PrivateKey`: SubjectPublicKeyInfo.
    static let rsaSPKIPublicKey = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAppoHspTe+R/EnnET6eIJ
        kgKM3dWP59XZt0FectJo0ENKS01KZEak00uAnuCZfHbIgqRMV5jKVrauHVxi0JTy
        W7v97InoZzVg8niH5KbgsEslxS8R0w/LvsxgOL3S5EyOnGa0P56IVGeMFNtY+LNf
        JzxY0QnUeKct0fCDz7LQnSLdNbOliX8+iPhkEH//Q4Jy2KMm2WlIR+aY4jcDUo8L
        QsvT2xtwYaIoyGYtpBh1V1nnuNxiLNbvEff4umYLAR0uuKldzJX97fh1A9EeZVvI
        YCBWR/2LT8fzwGrFWRbcKBiuqzn3sTeUSpr1S9DOfAGacM10kiRZL2RofM+X5dn3
        swIDAQAB
        -----END PUBLIC KEY-----
        """
    /// secp256k1 in PKCS#8: a curve ocitool does not take.
    static let secp256k1PrivateKey = """
        -----BEGIN PRIVATE KEY-----
        MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQg/dbVKYlNr9KIZNI74K7s
        FMtilY95YxUgMM5n0uz4GPqhRANCAAS9g/72EgHTrxo1MXyUWyIayX++iFvuUM3t
        XKzUnKgSi0GEr2nHMZespAcDYG0UEswVMqvEuoWzSxSSEe48GRsU
        -----END PRIVATE KEY-----
        """
}
