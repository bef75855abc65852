import CHDF5
import Foundation

extension H5Object {
    /// Names of the attributes attached to this object, in name order.
    public func attributeNames() throws -> [String] {
        final class Box { var names: [String] = [] }
        let box = Box()
        let unmanaged = Unmanaged.passUnretained(box)
        var index: hsize_t = 0
        try check("list attributes") {
            H5Aiterate2(id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, data in
                let box = Unmanaged<Box>.fromOpaque(data!).takeUnretainedValue()
                box.names.append(String(cString: name!))
                return 0
            }, unmanaged.toOpaque())
        }
        return box.names
    }
}

extension H5Object {
    /// Writes (replacing) a variable-length UTF-8 string attribute — h5py reads it as `str`
    /// (fixed-length ones come back as `bytes`).
    public func setVariableLengthAttribute(_ name: String, _ value: String) throws {
        try deleteAttributeIfPresent(name)
        let type = try check("string type") { H5Tcopy(wb_H5T_C_S1()) }
        defer { _ = locked { H5Tclose(type) } }
        try check("string size") { H5Tset_size(type, wb_H5T_VARIABLE()) }
        try check("string charset") { H5Tset_cset(type, H5T_CSET_UTF8) }
        let space = try check("scalar space") { H5Screate(H5S_SCALAR) }
        defer { _ = locked { H5Sclose(space) } }
        let attr = try check("create attribute \(name)") {
            H5Acreate2(id, name, type, space, wb_H5P_DEFAULT(), wb_H5P_DEFAULT())
        }
        defer { _ = locked { H5Aclose(attr) } }
        try value.withCString { pointer in
            var p: UnsafePointer<CChar>? = pointer
            try check("write attribute \(name)") { H5Awrite(attr, type, &p) }
        }
    }
}
