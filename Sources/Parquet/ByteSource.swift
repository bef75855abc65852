import Foundation

/// Random-access bytes of a parquet file: a file read with `pread` (thread-safe, no shared offset),
/// or bytes in memory (tests and fuzzing).
protocol ByteSource: Sendable {
    var size: Int { get }
    /// Reads exactly `count` bytes at `offset` into a padded buffer; the caller has checked the range.
    func read(offset: Int, count: Int) throws -> PaddedBuffer
}

final class FileSource: ByteSource {
    let descriptor: Int32
    let size: Int
    let path: String

    init(path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ParquetError(.unreadable, file: path, "is a directory, not a parquet file")
        }
        descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw ParquetError(.unreadable, file: path, reason)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            close(descriptor)
            throw ParquetError(.unreadable, file: path, "cannot stat: \(String(cString: strerror(errno)))")
        }
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    func read(offset: Int, count: Int) throws -> PaddedBuffer {
        let buffer = PaddedBuffer(count: count)
        var done = 0
        while done < count {
            let n = pread(descriptor, buffer.pointer + done, count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw DecodeError(n == 0 ? "file ended early (was it truncated while reading?)"
                                          : "read failed: \(String(cString: strerror(errno)))", kind: .unreadable)
            }
            done += n
        }
        return buffer
    }
}

final class MemorySource: ByteSource {
    let bytes: [UInt8]
    var size: Int { bytes.count }

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(offset: Int, count: Int) throws -> PaddedBuffer {
        let buffer = PaddedBuffer(count: count)
        guard count > 0 else { return buffer }
        bytes.withUnsafeBufferPointer { src in
            buffer.pointer.update(from: src.baseAddress! + offset, count: count)
        }
        return buffer
    }
}
