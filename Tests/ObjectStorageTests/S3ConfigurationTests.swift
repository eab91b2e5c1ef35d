// SPDX-License-Identifier: Apache-2.0
import Foundation
import Layout
@testable import ObjectStorage
import TestSupport
import Testing

/// Locations and credentials, as S3 tools read them.
struct S3ConfigurationTests {
    @Test func locationIsPathStyleWithACanonicalPrefix() throws {
        let location = try S3Location("s3://my-bucket//a/b/", endpoint: "http://127.0.0.1:7480/", region: "eu-1")
        #expect(location.prefix == "a/b/")
        #expect(location.key("index.json") == "a/b/index.json")
        #expect(location.url(key: "a/b/x y+z") == "http://127.0.0.1:7480/my-bucket/a/b/x%20y%2Bz")
        #expect(location.url(key: "", query: S3Location.query([("prefix", "a/b"), ("list-type", "2")]))
            == "http://127.0.0.1:7480/my-bucket?list-type=2&prefix=a%2Fb")
        #expect(location.region == "eu-1")
        let aws = try S3Location("s3://my-bucket", environment: ["AWS_REGION": "eu-west-3"])
        #expect(aws.endpoint == "https://s3.eu-west-3.amazonaws.com")
        #expect(aws.prefix == "")
    }

    @Test(arguments: ["http://bucket", "s3://", "s3://Bucket", "s3://ab", "s3://-bucket", "s3://bucket/a/../b"])
    func invalidLocations(_ url: String) {
        #expect(throws: LayoutError.self) { try S3Location(url, environment: [:]) }
    }

    @Test func credentialsFromTheEnvironmentFirst() throws {
        let credentials = try S3Credentials.resolve(environment: [
            "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_SESSION_TOKEN": "token",
        ])
        #expect(credentials.accessKey == "AKID")
        #expect(credentials.sessionToken == "token")
        #expect(!credentials.description.contains("secret"))
        #expect(throws: LayoutError.self) { try S3Credentials.resolve(environment: ["AWS_ACCESS_KEY_ID": "AKID"]) }
    }

    @Test func credentialsFromTheSharedFileAndProfile() throws {
        let directory = TestScratch.directory("ocitool-s3-credentials")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("credentials").path
        try """
            # comment
            [default]
            aws_access_key_id = DEFAULTKEY
            aws_secret_access_key = defaultsecret

            [ci]
            AWS_ACCESS_KEY_ID=CIKEY
            aws_secret_access_key=cisecret
            aws_session_token = citoken
            [broken]
            aws_access_key_id = ONLYKEY
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let byDefault = try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": file])
        #expect(byDefault.accessKey == "DEFAULTKEY")
        #expect(byDefault.secretKey == "defaultsecret")
        let ci = try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "ci"])
        #expect(ci.accessKey == "CIKEY")
        #expect(ci.sessionToken == "citoken")
        #expect(ci.source == "\(file) [ci]")
        #expect(throws: LayoutError.self) {
            try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "broken"])
        }
        #expect(throws: LayoutError.self) {
            try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": directory.path + "/none", "HOME": "/nonexistent"])
        }
    }

    @Test func xmlTextIsDecoded() {
        let text = "<R><Key>a&amp;b&lt;c&#x41;&#66;</Key><Key>two</Key><IsTruncated>false</IsTruncated></R>"[...]
        #expect(S3XML.values("Key", in: text) == ["a&b<cAB", "two"])
        #expect(S3XML.value("IsTruncated", in: text) == "false")
        #expect(S3XML.value("Missing", in: text) == nil)
    }
}
