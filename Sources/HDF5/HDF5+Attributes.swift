import CHDF5
import Foundation

extension H5Object {
    /// Names of the attributes attached to this object, in name order.
    public func attributeNames() throws -> [String] {
        try NameList.collect("\(fileName): list attributes") { index, list in
            H5Aiterate2(id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, data in NameList.visit(name, data) }, list)
        }
    }
}

/// The names an HDF5 iteration (`H5Literate`, `H5Aiterate2`) visits, collected through its
/// `op_data` pointer (a C callback cannot capture a Swift array).
final class NameList {
    var names: [String] = []

    /// The iteration callback's body: appends `name` to the `NameList` that `data` points to; 0 continues.
    static func visit(_ name: UnsafePointer<CChar>?, _ data: UnsafeMutableRawPointer?) -> herr_t {
        Unmanaged<NameList>.fromOpaque(data!).takeUnretainedValue().names.append(String(cString: name!))
        return 0
    }

    /// Runs `iterate` from index 0 with a new list's pointer as `op_data`; returns the names visited.
    static func collect(_ what: @autoclosure () -> String,
                        _ iterate: (inout hsize_t, UnsafeMutableRawPointer) -> herr_t) throws -> [String] {
        let list = NameList()
        var index: hsize_t = 0
        try withExtendedLifetime(list) {
            _ = try check(what()) { iterate(&index, Unmanaged.passUnretained(list).toOpaque()) }
        }
        return list.names
    }
}
