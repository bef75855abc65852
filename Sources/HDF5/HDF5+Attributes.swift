import CHDF5
import Foundation

extension H5Object {
    /// Names of the attributes attached to this object, in name order.
    public func attributeNames() throws -> [String] {
        final class Box { var names: [String] = [] }
        let box = Box()
        let unmanaged = Unmanaged.passUnretained(box)
        var index: hsize_t = 0
        try check("\(fileName): list attributes") {
            H5Aiterate2(id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, data in
                let box = Unmanaged<Box>.fromOpaque(data!).takeUnretainedValue()
                box.names.append(String(cString: name!))
                return 0
            }, unmanaged.toOpaque())
        }
        return box.names
    }
}
