import Foundation

/// The one error of the EraData module: what kind of failure, where (file or directory, line,
/// column and column name where there is one) and the detail. `description` composes the
/// location the same way for every reader (`FILE:LINE:COLUMN (NAME): detail`, `FILE: detail`),
/// so every message names its place.
public struct EraDataError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Kind: String, Sendable, Equatable {
        /// Inputs that do not go together (a usage mistake rather than bad data: exit 2).
        case inputs
        // Reading CSV and Numerai parquet files.
        case unreadable, empty, malformed, missingColumn, noFeatureColumns, noTargetColumns
        case schemaMismatch, unknownSplit, noSplit, duplicateId
        case noFiles, featuresJSON, unknownFeatureSet, badValue
        /// A dataset file's content (not an HDF5 library failure).
        case datasetFile
        /// Writing a Numerai-layout directory.
        case write
        /// A synthetic generator config that cannot generate.
        case syntheticConfig
    }
    public let kind: Kind
    /// The file or directory the failure is about (nil: none in particular).
    public let file: String?
    public let line: Int?
    public let column: Int?
    /// The column's name, with `column`.
    public let field: String?
    public let detail: String

    public init(_ kind: Kind, file: String? = nil, line: Int? = nil, column: Int? = nil, field: String? = nil, _ detail: String) {
        self.kind = kind; self.file = file; self.line = line; self.column = column; self.field = field; self.detail = detail
    }

    public var description: String {
        var place = file ?? ""
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        if let field { place += " (\(field))" }
        return place.isEmpty ? detail : "\(place): \(detail)"
    }

    /// A malformed CSV field: `FILE:LINE:COLUMN (NAME): message`.
    static func at(_ file: String, line: Int, column: Int, name: String, _ message: String) -> EraDataError {
        EraDataError(.malformed, file: file, line: line, column: column, field: name, message)
    }
}
