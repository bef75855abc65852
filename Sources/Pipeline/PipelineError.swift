/// A failure of the shared orchestration (stored predictions that do not belong to the study or
/// its data, nothing to analyse). The CLI prints it as `error: <description>`, exit 1.
public struct PipelineError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
