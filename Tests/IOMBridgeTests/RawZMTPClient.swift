#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ZMTP 3.0 DEALER over a plain TCP socket (NULL mechanism), written by hand so that a test
/// can stream a message far larger than it holds in memory — libzmq would buffer it whole.
final class RawZMTPClient {
    struct Failure: Error, CustomStringConvertible { let description: String }
    private let fd: Int32

    init(port: UInt16) throws {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect failed: \(errno)") }
        // Greeting: signature, version 3.0, mechanism NULL, as-server 0, filler.
        var greeting = [UInt8](repeating: 0, count: 64)
        greeting[0] = 0xFF
        greeting[9] = 0x7F
        greeting[10] = 3
        for (i, b) in "NULL".utf8.enumerated() { greeting[12 + i] = b }
        guard write(greeting), try read(64).count == 64 else { throw Failure(description: "no greeting") }
        // READY with Socket-Type=DEALER.
        var body: [UInt8] = [5] + Array("READY".utf8) + [11] + Array("Socket-Type".utf8)
        body += [0, 0, 0, 6] + Array("DEALER".utf8)
        guard write([0x04, UInt8(body.count)] + body) else { throw Failure(description: "cannot send READY") }
        let header = try read(2)
        guard header.count == 2, header[0] == 0x04 else { throw Failure(description: "no READY from the peer") }
        _ = try read(Int(header[1]))
    }

    /// A long frame's header: flags (more, long) and the 64-bit size.
    static func frameHeader(size: UInt64, more: Bool) -> [UInt8] {
        [more ? 0x03 : 0x02] + withUnsafeBytes(of: size.bigEndian) { Array($0) }
    }

    /// Writes everything; `false` once the peer has dropped the connection.
    func write(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            offset += n
        }
        return true
    }

    private func read(_ count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer[got...].withUnsafeMutableBytes { recv(fd, $0.baseAddress, count - got, 0) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            got += n
        }
        return Array(buffer[..<got])
    }

    /// Whether any octet of a reply arrives within `timeout` (a closed connection is no reply).
    func readReply(timeout: Duration) -> Bool {
        var item = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&item, 1, Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)) > 0 else {
            return false
        }
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == 1
    }

    func close() {
        #if canImport(Glibc)
        Glibc.close(fd)
        #else
        Darwin.close(fd)
        #endif
    }
}
