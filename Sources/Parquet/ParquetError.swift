import Foundation

/// The one public error of the Parquet module: why a parquet file could not be read or written.
/// `description` is the user-facing text: it names the file, and the column, row group and page
/// where there is one.
public struct ParquetError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable, Equatable {
        /// Missing, unreadable or not a parquet file (bad magic).
        case unreadable
        /// The footer, a page header or page data is malformed, truncated or out of bounds.
        case corrupt
        /// A valid parquet feature this reader does not implement (nested columns, DELTA encodings, LZ4...).
        case unsupported
        /// No column of that name, or a column of the wrong type for the requested read.
        case column
        /// Writing failed (bad rows for the schema, the file system, compression).
        case write
    }
    public let kind: Kind
    public let file: String
    public let detail: String

    public init(_ kind: Kind, file: String, _ detail: String) {
        self.kind = kind
        self.file = file
        self.detail = detail
    }

    /// `FILE: detail`; the detail alone while the file is not known yet (a page being compressed).
    public var description: String { file.isEmpty ? detail : "\(file): \(detail)" }
}

/// A location-free decoding failure, raised deep inside decoders and given its file and column on
/// the way out: internal, it always leaves the module as a `ParquetError`.
struct DecodeError: Error {
    let kind: ParquetError.Kind
    let message: String
    init(_ message: String, kind: ParquetError.Kind = .corrupt) {
        self.message = message
        self.kind = kind
    }
}
