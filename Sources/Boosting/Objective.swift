import Foundation

/// What a LightGBM model's raw score becomes in `Booster.predict` (LightGBM's
/// `ObjectiveFunction::ConvertOutput`), from the model's `objective=` line:
///
/// - `regression`, `regression_l1`, `huber`, `fair`, `quantile`, `mape`: the raw score s;
///   `regression … sqrt`: sign(s)·s²;
/// - `binary … sigmoid:σ`: 1 / (1 + e^(−σ·s)); `cross_entropy`: 1 / (1 + e^(−s));
///   `cross_entropy_lambda`: log(1 + e^s);
/// - `poisson`, `gamma`, `tweedie`: e^s.
///
/// Other objectives (ranking, multi-class, custom names) are refused by name. Models we train
/// have no objective (L2 regression: the raw score).
public struct ModelObjective: Equatable, Sendable {
    public enum Transform: Equatable, Sendable {
        case identity, signedSquare, sigmoid(Double), softplus, exponential
    }
    /// LightGBM's `objective=` value as written (e.g. `binary sigmoid:1`).
    public let text: String
    public let transform: Transform

    static let identityNames: Set<String> = ["regression", "regression_l2", "l2", "mean_squared_error", "mse",
                                             "l2_root", "root_mean_squared_error", "rmse", "regression_l1", "l1",
                                             "mean_absolute_error", "mae", "huber", "fair", "quantile", "mape",
                                             "mean_absolute_percentage_error"]
    static let supported = "regression (and l1, huber, fair, quantile, mape), binary, cross_entropy, "
        + "cross_entropy_lambda, poisson, gamma, tweedie"

    /// Parses an `objective=` value; the error names the objective and what is supported.
    public init(lightGBM text: String) throws {
        let tokens = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let name = tokens.first else { throw BoostingError.emptyObjective }
        self.text = tokens.joined(separator: " ")
        switch name {
        case _ where Self.identityNames.contains(name):
            transform = tokens.contains("sqrt") ? .signedSquare : .identity
        case "binary":
            var sigmoid = 1.0
            if let token = tokens.first(where: { $0.hasPrefix("sigmoid:") }) {
                guard let v = Double(token.dropFirst(8)), v.isFinite, v > 0 else {
                    throw BoostingError.badSigmoid(objective: text, token: token)
                }
                sigmoid = v
            }
            transform = .sigmoid(sigmoid)
        case "cross_entropy", "xentropy": transform = .sigmoid(1)
        case "cross_entropy_lambda", "xentlambda": transform = .softplus
        case "poisson", "gamma", "tweedie": transform = .exponential
        default:
            throw BoostingError.unsupportedObjective(name, supported: Self.supported)
        }
    }

    /// The prediction for raw score `s`.
    @inline(__always) public func apply(_ s: Double) -> Double {
        switch transform {
        case .identity: return s
        case .signedSquare: return (s < 0 ? -1 : s > 0 ? 1 : 0) * s * s
        case .sigmoid(let sigma): return 1 / (1 + exp(-sigma * s))
        case .softplus: return log1p(exp(s))
        case .exponential: return exp(s)
        }
    }
}

/// An objective whose output cannot be reproduced.
extension Booster {
    /// Raw scores → predictions through the model's objective (none: unchanged).
    func applyingObjective(_ scores: [Double]) -> [Double] {
        guard let objective, objective.transform != .identity else { return scores }
        return scores.map(objective.apply)
    }
}

extension ModelObjective: Codable {
    /// Encoded as LightGBM's `objective=` text.
    public init(from decoder: Decoder) throws {
        try self.init(lightGBM: try decoder.singleValueContainer().decode(String.self))
    }
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
