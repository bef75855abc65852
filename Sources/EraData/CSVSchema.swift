import Foundation

/// The CSV header: which column is the id, era, data_type, a feature or a target.
extension CSVImporter {
    enum Role { case id, era, dataType, feature(Int), target(Int), ignored }

    struct Schema {
        var roles: [Role]
        var names: [String]
        var featureNames: [String]
        var targetNames: [String]
        var dataTypeColumn: Int?

        init(header: [String], path: String, requireTargets: Bool = true) throws {
            names = header
            var seen = Set<String>()
            for name in header where !seen.insert(name).inserted {
                throw EraDataError(.duplicateColumn(name), file: path, line: 1)
            }
            featureNames = header.filter { $0.hasPrefix("feature_") }
            targetNames = header.filter { $0.hasPrefix("target") }
            let missing = ["id", "era"].filter { !header.contains($0) }
            if !missing.isEmpty {
                throw EraDataError(.missingColumns(missing), file: path)
            }
            if featureNames.isEmpty {
                throw EraDataError(.noFeatureColumns, file: path)
            }
            if targetNames.isEmpty && requireTargets {
                throw EraDataError(.noTargetColumns, file: path)
            }
            var featureIndex: [String: Int] = [:], targetIndex: [String: Int] = [:]
            for (i, n) in featureNames.enumerated() { featureIndex[n] = i }
            for (i, n) in targetNames.enumerated() { targetIndex[n] = i }
            dataTypeColumn = header.firstIndex(of: "data_type")
            roles = header.map { name in
                switch name {
                case "id": return .id
                case "era": return .era
                case "data_type": return .dataType
                default:
                    if let f = featureIndex[name] { return .feature(f) }
                    if let t = targetIndex[name] { return .target(t) }
                    return .ignored
                }
            }
        }

        /// Re-maps this file's columns onto the first file's feature and target order.
        func aligned(to featureNames: [String], _ targetNames: [String], path: String, reference: String) throws -> [Role] {
            let mine = Set(self.featureNames + self.targetNames), theirs = Set(featureNames + targetNames)
            if mine != theirs {
                let missing = (featureNames + targetNames).filter { !mine.contains($0) }
                let extra = (self.featureNames + self.targetNames).filter { !theirs.contains($0) }
                throw EraDataError(.columnsDiffer(reference: reference, missing: missing, extra: extra, featuresOnly: false),
                                   file: path)
            }
            var featureIndex: [String: Int] = [:], targetIndex: [String: Int] = [:]
            for (i, n) in featureNames.enumerated() { featureIndex[n] = i }
            for (i, n) in targetNames.enumerated() { targetIndex[n] = i }
            return zip(roles, names).map { role, name in
                switch role {
                case .feature: return .feature(featureIndex[name]!)
                case .target: return .target(targetIndex[name]!)
                default: return role
                }
            }
        }
    }
}
