import Foundation

/// Turns a metrics.json document into a flat list of named numbers, with names that do not
/// depend on the order of lists, so two runs can be compared metric by metric.
///
/// Naming:
/// - object members: `parent.key` (top level: `key`), e.g. `diversity.pairwise_corr_mean`;
/// - lists of numbers: `name[i]` with a 0-based index, e.g. `diversity.pca_explained_variance_ratio[0]`;
/// - lists of objects: each element is named by its *identity*: `id` alone if every element
///   has a distinct one, else `name` alone likewise, else all of the `identityKeys` fields
///   (arm, k, method, seed, target, …) that every element has with a string or integer value,
///   if together they tell the elements apart; written `name[f1=v1,f2=v2]` with fields in
///   alphabetical order, e.g. `scaling[k=5,method=random]`, `models[id=m007]`. Identity fields
///   are not metrics themselves. Otherwise the 0-based position is used: `name[3]`.
/// - leaves: numbers, booleans (1/0), null (NaN); strings are not metrics and are skipped.
/// - aggregates over `models` (robust to model ids changing between runs):
///   `summary.models.count` and, for every numeric field f of the models,
///   `summary.models.f.{mean,median,min,max}` over finite values; the same per arm as
///   `summary.models[arm=A]...` when models have an `arm`.
public enum MetricNames {
    /// Fields that identify a list element rather than measure it (string or integer values).
    public static let identityKeys = ["arm", "component", "era", "fold", "group", "id", "index", "k", "kind", "method",
                                      "name", "parameter", "rank", "seed", "split", "target"]

    /// Flattened metrics, sorted by name (natural order: `x[2]` before `x[10]`).
    public static func flatten(_ document: JSONValue) -> [(name: String, value: Double)] {
        var out: [(String, Double)] = []
        walk(document, path: "", into: &out)
        addModelSummaries(document, into: &out)
        return out.sorted { naturalLess($0.0, $1.0) }
    }

    static func walk(_ value: JSONValue, path: String, into out: inout [(String, Double)]) {
        switch value {
        case .number(let d): out.append((path, d))
        case .bool(let b): out.append((path, b ? 1 : 0))
        case .null: out.append((path, .nan))
        case .string: break
        case .object(let members):
            for key in members.keys.sorted() {
                walk(members[key]!, path: path.isEmpty ? key : path + "." + key, into: &out)
            }
        case .array(let elements):
            let objects = elements.compactMap { e -> [String: JSONValue]? in
                if case .object(let o) = e { return o }
                return nil
            }
            if !elements.isEmpty, objects.count == elements.count, let identity = identityFields(objects) {
                for o in objects {
                    let label = identity.sorted().map { "\($0)=\(text(o[$0]!))" }.joined(separator: ",")
                    var rest = o
                    for f in identity { rest.removeValue(forKey: f) }
                    walk(.object(rest), path: path + "[" + label + "]", into: &out)
                }
            } else {
                for (i, e) in elements.enumerated() { walk(e, path: path + "[\(i)]", into: &out) }
            }
        }
    }

    /// The fields that name each element, or nil when they do not tell all elements apart.
    /// `id` alone when unique, else `name` alone when unique, else every identity field that all
    /// elements have — never a minimal subset, so that a name does not change when a new run
    /// adds, say, a second method to the scaling list.
    static func identityFields(_ objects: [[String: JSONValue]]) -> [String]? {
        func usable(_ key: String) -> Bool {
            objects.allSatisfy { o in
                switch o[key] {
                case .string: return true
                case .number(let d): return d == d.rounded() && abs(d) < 1e15
                default: return false
                }
            }
        }
        func unique(_ fields: [String]) -> Bool {
            var seen = Set<String>()
            return objects.allSatisfy { o in seen.insert(fields.map { text(o[$0]!) }.joined(separator: "\u{1}")).inserted }
        }
        for single in ["id", "name"] where usable(single) && unique([single]) { return [single] }
        let fields = identityKeys.filter(usable).sorted()
        return !fields.isEmpty && unique(fields) ? fields : nil
    }

    static func text(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return s
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
        case .bool(let b): return b ? "true" : "false"
        default: return "null"
        }
    }

    static func addModelSummaries(_ document: JSONValue, into out: inout [(String, Double)]) {
        guard case .object(let top) = document, case .array(let list)? = top["models"] else { return }
        let models = list.compactMap { e -> [String: JSONValue]? in
            if case .object(let o) = e { return o }
            return nil
        }
        func summarise(_ group: [[String: JSONValue]], prefix: String) {
            out.append((prefix + ".count", Double(group.count)))
            let fields = Set(group.flatMap { o in o.compactMap { k, v -> String? in
                if case .number = v, k != "k" { return k }
                return nil
            } })
            for f in fields.sorted() {
                let xs = group.compactMap { o -> Double? in
                    if case .number(let d)? = o[f], d.isFinite { return d }
                    return nil
                }.sorted()
                guard !xs.isEmpty else { continue }
                let median = xs.count % 2 == 1 ? xs[xs.count / 2] : (xs[xs.count / 2 - 1] + xs[xs.count / 2]) / 2
                out.append((prefix + ".\(f).mean", xs.reduce(0, +) / Double(xs.count)))
                out.append((prefix + ".\(f).median", median))
                out.append((prefix + ".\(f).min", xs.first!))
                out.append((prefix + ".\(f).max", xs.last!))
            }
        }
        summarise(models, prefix: "summary.models")
        var arms: [String: [[String: JSONValue]]] = [:]
        for m in models { if case .string(let a)? = m["arm"] { arms[a, default: []].append(m) } }
        for a in arms.keys.sorted() { summarise(arms[a]!, prefix: "summary.models[arm=\(a)]") }
    }

    /// Natural order: digit runs compare as numbers, everything else by Unicode scalars.
    public static func naturalLess(_ a: String, _ b: String) -> Bool {
        var i = a.unicodeScalars.makeIterator(), j = b.unicodeScalars.makeIterator()
        var x = i.next(), y = j.next()
        while let cx = x, let cy = y {
            if cx.properties.numericType == .decimal && cy.properties.numericType == .decimal
                && cx.isASCII && cy.isASCII {
                var nx = "", ny = ""
                while let c = x, c.isASCII, c.properties.numericType == .decimal { nx.unicodeScalars.append(c); x = i.next() }
                while let c = y, c.isASCII, c.properties.numericType == .decimal { ny.unicodeScalars.append(c); y = j.next() }
                let tx = nx.drop { $0 == "0" }, ty = ny.drop { $0 == "0" }
                if tx.count != ty.count { return tx.count < ty.count }
                if tx != ty { return tx < ty }
                if nx.count != ny.count { return nx.count < ny.count }
                continue
            }
            if cx != cy { return cx.value < cy.value }
            x = i.next(); y = j.next()
        }
        return x == nil && y != nil
    }
}
