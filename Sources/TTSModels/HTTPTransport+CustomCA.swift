import TTSSeams
import AsyncHTTPClient
import NIOSSL
import TTSSeams

/// The shared HTTP client for a model with `ca_file:`: its `https://` requests trust the
/// certificate authorities of that PEM file instead of the system's (a private endpoint with its
/// own CA). Host names are still checked against the certificate.
///
///     let transport = try CustomCATransport(caFile: "/etc/ssl/private-ca.pem", model: "m")
struct CustomCATransport: HTTPTransport {
    let tls: TLSConfiguration

    /// Reads the certificates now, so an unreadable file stops the run before any request.
    init(caFile: String, model: String) throws {
        let certificates: [NIOSSLCertificate]
        do { certificates = try NIOSSLCertificate.fromPEMFile(caFile) } catch {
            throw ModelError(model: model, message: "cannot read the certificates of ca_file \(caFile): \(error)")
        }
        guard !certificates.isEmpty else { throw ModelError(model: model, message: "ca_file \(caFile) holds no certificate") }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(certificates)
        self.tls = tls
    }

    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Double) async throws -> HTTPExchange {
        try await SharedHTTPClient.shared.postWithAsyncHTTPClient(url: url, headers: headers, body: body, timeout: timeout, tls: tls)
    }
}
