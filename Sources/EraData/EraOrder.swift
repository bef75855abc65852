/// The one era order of every data reader (CSV import, Numerai parquet), so the same data gives
/// the same eras whatever the file format.
public enum EraOrder {
    /// Era order as indices into `names` (first-appearance order). Names ending in digits come first,
    /// by (prefix, number, name): "0001" < "2" < "0010", "era9" < "era10". The rest (e.g. the live era
    /// "X") follow in order of appearance.
    public static func indices(_ names: [String]) -> [Int] {
        struct Key { let numeric: Bool; let prefix: Substring; let digits: Substring; let index: Int }
        let keys = names.enumerated().map { i, name -> Key in
            let digits = name.reversed().prefix { $0.isASCII && $0.isNumber }.count
            return Key(numeric: digits > 0, prefix: name.dropLast(digits), digits: name.suffix(digits), index: i)
        }
        func compareDigits(_ a: Substring, _ b: Substring) -> Int {
            let x = a.drop { $0 == "0" }, y = b.drop { $0 == "0" }
            if x.count != y.count { return x.count < y.count ? -1 : 1 }
            return x == y ? 0 : (x < y ? -1 : 1)
        }
        return keys.sorted { a, b in
            if a.numeric != b.numeric { return a.numeric }
            if !a.numeric { return a.index < b.index }
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            let c = compareDigits(a.digits, b.digits)
            if c != 0 { return c < 0 }
            return a.index < b.index
        }.map(\.index)
    }
}
