extension String {
    /// This text with each Unicode scalar that `table` lists replaced by its entry, and every
    /// other scalar given to `other`, which returns its replacement (`""` drops it) or nil to
    /// keep it. The one escaping loop behind XML text (SVG), Markdown cells, inline text and link
    /// targets, and JSON strings: each of those is a table. Scalars, not characters, so that a
    /// `<` followed by a combining mark is escaped too (an HTML parser sees the `<` alone).
    public func escaped(_ table: [Unicode.Scalar: String], other: (Unicode.Scalar) -> String? = { _ in nil }) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            if let replacement = table[scalar] ?? other(scalar) {
                out += replacement
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
