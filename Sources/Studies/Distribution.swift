import EraData
import Foundation
import Support

/// How one study parameter is drawn for each model.
///
/// JSON forms (all validated, with the JSON path in every error):
/// - a number or string: a constant;
/// - `[a, b, c]`: an explicit list (categorical — strings allowed for `target`);
/// - `{"linspace": [start, stop, num]}`: numpy's `linspace` (integer parameters truncate like
///   `dtype=int`), so the forum's `param_dict` translates one-to-one;
/// - `{"uniform": [low, high]}`, `{"logUniform": [low, high]}` (continuous, high exclusive);
/// - `{"intRange": [low, high]}`: integers low…high inclusive.
public enum Distribution: Equatable, Sendable {
    case constant(ParameterValue)
    case choice([ParameterValue])
    case uniform(Double, Double)
    case logUniform(Double, Double)
    case intRange(Int, Int)

    /// Draws one value.
    public func sample(_ rng: inout SplitMix64, integer: Bool) -> ParameterValue {
        switch self {
        case .constant(let v):
            return v
        case .choice(let values):
            return values[Int(rng.next() % UInt64(values.count))]
        case .uniform(let lo, let hi):
            let x = lo + (hi - lo) * rng.nextUnit()
            return .number(integer ? x.rounded(.down) : x)
        case .logUniform(let lo, let hi):
            let x = exp(log(lo) + (log(hi) - log(lo)) * rng.nextUnit())
            return .number(integer ? x.rounded(.down) : x)
        case .intRange(let lo, let hi):
            return .number(Double(lo + Int(rng.next() % UInt64(hi - lo + 1))))
        }
    }

    /// Distinct values this distribution can produce; nil when continuous.
    public var distinctCount: Int? {
        switch self {
        case .constant: return 1
        case .choice(let values): return Set(values).count
        case .uniform, .logUniform: return nil
        case .intRange(let lo, let hi): return hi - lo + 1
        }
    }

    /// Short human description for plan summaries.
    public var summary: String {
        switch self {
        case .constant(let v): return v.description
        case .choice(let values):
            let distinct = Set(values).count
            if values.count <= 6 { return "one of [" + values.map(\.description).joined(separator: ", ") + "]" }
            let nums = values.compactMap(\.number)
            if nums.count == values.count, let lo = nums.min(), let hi = nums.max() {
                return "\(distinct) values in [\(fmt(lo)), \(fmt(hi))]"
            }
            return "\(distinct) choices"
        case .uniform(let lo, let hi): return "uniform[\(fmt(lo)), \(fmt(hi)))"
        case .logUniform(let lo, let hi): return "log-uniform[\(fmt(lo)), \(fmt(hi)))"
        case .intRange(let lo, let hi): return "integers \(lo)…\(hi)"
        }
    }

    /// The numeric bounds of the values that can be drawn (for range validation).
    var numericBounds: (Double, Double)? {
        switch self {
        case .constant(let v): return v.number.map { ($0, $0) }
        case .choice(let values):
            let nums = values.compactMap(\.number)
            guard !nums.isEmpty else { return nil }
            return (nums.min()!, nums.max()!)
        case .uniform(let lo, let hi), .logUniform(let lo, let hi): return (lo, hi)
        case .intRange(let lo, let hi): return (Double(lo), Double(hi))
        }
    }

    static func parse(_ node: Node, integer: Bool, allowStrings: Bool) throws -> Distribution {
        switch node.value {
        case is NSNumber:
            let v = try node.number()
            return .constant(.number(integer ? try integral(v, node) : v))
        case is String:
            guard allowStrings else { throw node.fail(.wrongType(expected: .numberOrDistribution, found: .string)) }
            return .constant(.string(try node.string()))
        case is [Any]:
            let items = try node.array()
            guard !items.isEmpty else { throw node.fail(.emptyChoice) }
            return .choice(try items.map { item in
                if allowStrings, item.value is String { return .string(try item.string()) }
                let v = try item.number()
                return .number(integer ? try integral(v, item) : v)
            })
        case is [String: Any]:
            let object = try node.object()
            let forms = ["linspace", "uniform", "logUniform", "intRange"]
            guard object.count == 1, let (form, arg) = object.first else {
                throw node.fail(.distributionKeys(forms))
            }
            guard forms.contains(form) else {
                throw StudiesError.at(arg.path, .unknownDistribution(form), suggestion: closest(to: form, in: forms))
            }
            let bounds = try arg.array()
            switch form {
            case "linspace":
                guard bounds.count == 3 else { throw arg.fail(.linspaceArity) }
                let start = try bounds[0].number(), stop = try bounds[1].number(), num = try bounds[2].integer()
                guard num >= 1 else { throw bounds[2].fail(.linspaceWithoutValues) }
                guard num <= StudyLimits.maxLinspaceValues else {
                    throw bounds[2].fail(.linspaceTooLong(num, max: StudyLimits.maxLinspaceValues))
                }
                return .choice(linspace(start, stop, num).map { .number(integer ? $0.rounded(.towardZero) : $0) })
            case "intRange":
                guard bounds.count == 2 else { throw arg.fail(.intRangeArity) }
                let lo = try bounds[0].integer(), hi = try bounds[1].integer()
                guard lo <= hi else { throw arg.fail(.emptyIntRange(lo, hi)) }
                return .intRange(lo, hi)
            default:
                guard bounds.count == 2 else { throw arg.fail(.rangeArity(form)) }
                let lo = try bounds[0].number(), hi = try bounds[1].number()
                guard lo < hi else { throw arg.fail(.emptyRange(lo, hi)) }
                if form == "logUniform" {
                    guard lo > 0 else { throw arg.fail(.logUniformNotPositive) }
                    return .logUniform(lo, hi)
                }
                return .uniform(lo, hi)
            }
        default:
            throw node.fail(.wrongType(expected: .valueListOrDistribution, found: node.kind))
        }
    }

    private static func integral(_ v: Double, _ node: Node) throws -> Double {
        guard v == v.rounded() else { throw node.fail(.notIntegral(v)) }
        return v
    }
}

/// numpy.linspace(start, stop, num) with endpoint: `start + i·step`, the last value exactly `stop`.
public func linspace(_ start: Double, _ stop: Double, _ num: Int) -> [Double] {
    if num == 1 { return [start] }
    let step = (stop - start) / Double(num - 1)
    return (0..<num).map { $0 == num - 1 ? stop : start + Double($0) * step }
}

/// A sampled parameter value: numbers for hyperparameters, strings for `target`.
public enum ParameterValue: Hashable, Sendable, CustomStringConvertible, Codable {
    case number(Double)
    case string(String)

    public var number: Double? { if case .number(let d) = self { return d } else { return nil } }
    public var string: String? { if case .string(let s) = self { return s } else { return nil } }

    public var description: String {
        switch self {
        case .number(let d): return fmt(d)
        case .string(let s): return s
        }
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .string(try c.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .number(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        }
    }
}

/// Shortest text that reads back as the same Double, integers without a fraction.
func fmt(_ d: Double) -> String {
    if d == d.rounded(), abs(d) < 1e15 { return String(Int64(d)) }
    return "\(d)"
}
