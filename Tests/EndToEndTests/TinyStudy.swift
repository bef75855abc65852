/// The tiny study the command tests train in seconds: synthetic data (48 eras × 120 rows,
/// 12 features, 2 targets), trees of depth 3 with 7 leaves, a benchmark, and two arms, `grid`
/// over max_depth and learning_rate and `seeds` over the seed. A test gives what it is about:
/// the evaluation settings and further top-level members (`more`, e.g. `"pruning": {…}`).
/// One member a line, so that a test can still change one member by replacing its text.
enum TinyStudy {
    static func json(name: String, description: String? = nil, seed: Int, models: Int, trees: Int,
                     evaluation: String, seedsArmModels: Int? = nil, more: [String] = []) -> String {
        let seedsModels = seedsArmModels.map { #""models": \#($0), "# } ?? ""
        let members = [#""name": "\#(name)""#]
            + (description.map { [#""description": "\#($0)""#] } ?? [])
            + [#""data": {"synthetic": {"eras": 48, "rowsPerEra": 120, "features": 12, "targets": 2}}"#,
               #""seed": \#(seed)"#,
               #""models": \#(models)"#,
               #""fixed": {"n_estimators": \#(trees), "learning_rate": 0.1, "max_depth": 3, "num_leaves": 7, "colsample_bytree": 0.5}"#,
               #""benchmark": {"n_estimators": \#(trees), "learning_rate": 0.1}"#,
               #""evaluation": \#(evaluation)"#,
               """
               "arms": [
                   {"name": "grid", "vary": {"max_depth": {"intRange": [2, 5]}, "learning_rate": {"logUniform": [0.02, 0.3]}}},
                   {"name": "seeds", \(seedsModels)"vary": {"seed": {"intRange": [0, 1000]}}}
                 ]
               """]
            + more
        return "{\n  " + members.joined(separator: ",\n  ") + "\n}"
    }
}
