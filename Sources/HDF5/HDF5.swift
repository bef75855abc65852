import CHDF5
import Foundation
import Support

/// An HDF5 library failure, with the innermost message of HDF5's error stack.
public struct HDF5Error: Error, CustomStringConvertible, Equatable, NamesTemporaryFile {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// HDF5 serializes every call behind one global lock; we keep one lock of our own too so that
/// error-stack reads pair with the call that failed.
let h5Lock = NSRecursiveLock()

@inline(__always)
func locked<T>(_ body: () throws -> T) rethrows -> T {
    h5Lock.lock()
    defer { h5Lock.unlock() }
    return try body()
}

private let silenced: Void = { _ = wb_silence_errors() }()

/// Runs an HDF5 call; a negative result becomes an `HDF5Error` naming `what`.
@discardableResult
func check<T: BinaryInteger>(_ what: @autoclosure () -> String, _ call: () -> T) throws -> T {
    try locked {
        _ = silenced
        let result = call()
        if result < 0 {
            var buffer = [CChar](repeating: 0, count: 512)
            wb_last_error(&buffer)
            let detail = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw HDF5Error(detail.isEmpty ? what() : "\(what()): \(detail)")
        }
        return result
    }
}

/// Element types that map onto a native HDF5 type.
public protocol HDF5Scalar {
    static var h5Type: hid_t { get }
    static var zero: Self { get }
}
extension Float: HDF5Scalar { public static var h5Type: hid_t { wb_H5T_NATIVE_FLOAT() }; public static var zero: Float { 0 } }
extension Double: HDF5Scalar { public static var h5Type: hid_t { wb_H5T_NATIVE_DOUBLE() }; public static var zero: Double { 0 } }
extension UInt8: HDF5Scalar { public static var h5Type: hid_t { wb_H5T_NATIVE_UINT8() }; public static var zero: UInt8 { 0 } }
extension Int8: HDF5Scalar { public static var h5Type: hid_t { wb_H5T_NATIVE_INT8() }; public static var zero: Int8 { 0 } }
extension Int32: HDF5Scalar { public static var h5Type: hid_t { wb_H5T_NATIVE_INT32() }; public static var zero: Int32 { 0 } }
extension UInt32: HDF5Scalar { public static var h5Type: hid_t { wb_H5T_NATIVE_UINT32() }; public static var zero: UInt32 { 0 } }
extension Int64: HDF5Scalar { public static var h5Type: hid_t { wb_H5T_NATIVE_INT64() }; public static var zero: Int64 { 0 } }

/// Something that holds links and attributes: a file (its root group) or a group.
public class H5Object: @unchecked Sendable {
    public let id: hid_t
    private let close: (hid_t) -> herr_t
    init(id: hid_t, close: @escaping (hid_t) -> herr_t) {
        self.id = id
        self.close = close
    }
    deinit { locked { _ = close(id) } }

    /// The file this object lives in, for error messages (HDF5's own record of the name).
    public var fileName: String {
        locked {
            let size = H5Fget_name(id, nil, 0)
            guard size > 0 else { return "<hdf5>" }
            var buffer = [CChar](repeating: 0, count: size + 1)
            _ = H5Fget_name(id, &buffer, size + 1)
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    // MARK: attributes

    /// Writes (replacing) a variable-length UTF-8 string attribute — h5py reads it as `str`
    /// (fixed-length ones come back as `bytes`).
    public func setAttribute(_ name: String, _ value: String) throws {
        try deleteAttributeIfPresent(name)
        let type = try check("\(fileName): string type") { H5Tcopy(wb_H5T_C_S1()) }
        defer { _ = locked { H5Tclose(type) } }
        try check("\(fileName): string size") { H5Tset_size(type, wb_H5T_VARIABLE()) }
        try check("\(fileName): string charset") { H5Tset_cset(type, H5T_CSET_UTF8) }
        let space = try check("\(fileName): scalar space") { H5Screate(H5S_SCALAR) }
        defer { _ = locked { H5Sclose(space) } }
        let attr = try check("\(fileName): create attribute \(name)") {
            H5Acreate2(id, name, type, space, wb_H5P_DEFAULT(), wb_H5P_DEFAULT())
        }
        defer { _ = locked { H5Aclose(attr) } }
        try value.withCString { pointer in
            var p: UnsafePointer<CChar>? = pointer
            try check("\(fileName): write attribute \(name)") { H5Awrite(attr, type, &p) }
        }
    }

    /// Writes (replacing) a numeric scalar attribute.
    public func setAttribute<T: HDF5Scalar>(_ name: String, _ value: T) throws {
        try deleteAttributeIfPresent(name)
        let space = try check("\(fileName): scalar space") { H5Screate(H5S_SCALAR) }
        defer { _ = locked { H5Sclose(space) } }
        let attr = try check("\(fileName): create attribute \(name)") {
            H5Acreate2(id, name, T.h5Type, space, wb_H5P_DEFAULT(), wb_H5P_DEFAULT())
        }
        defer { _ = locked { H5Aclose(attr) } }
        try withUnsafePointer(to: value) { v in
            _ = try check("\(fileName): write attribute \(name)") { H5Awrite(attr, T.h5Type, v) }
        }
    }

    public func hasAttribute(_ name: String) -> Bool {
        locked { H5Aexists(id, name) > 0 }
    }

    func deleteAttributeIfPresent(_ name: String) throws {
        if hasAttribute(name) { try check("\(fileName): delete attribute \(name)") { H5Adelete(id, name) } }
    }

    /// Reads a string attribute (fixed or variable length).
    public func stringAttribute(_ name: String) throws -> String {
        guard hasAttribute(name) else { throw HDF5Error("\(fileName): attribute '\(name)' not found") }
        let attr = try check("\(fileName): open attribute \(name)") { H5Aopen(id, name, wb_H5P_DEFAULT()) }
        defer { _ = locked { H5Aclose(attr) } }
        let fileType = try check("\(fileName): attribute type") { H5Aget_type(attr) }
        defer { _ = locked { H5Tclose(fileType) } }
        guard locked({ H5Tget_class(fileType) }) == H5T_STRING else {
            throw HDF5Error("\(fileName): attribute '\(name)' is not a string")
        }
        if locked({ H5Tis_variable_str(fileType) }) > 0 {
            // From the header's bytes when possible: libhdf5 crashes on damaged descriptors/heaps.
            if let value = try validatedVariableStringAttribute(name) { return value }
            let memType = try check("\(fileName): string type") { H5Tcopy(wb_H5T_C_S1()) }
            defer { _ = locked { H5Tclose(memType) } }
            try check("\(fileName): string size") { H5Tset_size(memType, wb_H5T_VARIABLE()) }
            // The memory type must carry the file's charset: HDF5 will not convert ASCII ↔ UTF-8.
            try check("\(fileName): string charset") { H5Tset_cset(memType, H5Tget_cset(fileType)) }
            var pointer: UnsafeMutablePointer<CChar>? = nil
            try check("\(fileName): read attribute \(name)") { H5Aread(attr, memType, &pointer) }
            defer { free(pointer) }
            return pointer.map { String(cString: $0) } ?? ""
        }
        let size = locked { H5Tget_size(fileType) }
        guard size <= 1 << 20 else { throw HDF5Error("\(fileName): attribute '\(name)': a \(size)-byte string is too long") }
        var buffer = [UInt8](repeating: 0, count: size + 1)
        _ = try buffer.withUnsafeMutableBytes { raw in
            try check("\(fileName): read attribute \(name)") { H5Aread(attr, fileType, raw.baseAddress) }
        }
        let end = buffer.firstIndex(of: 0) ?? size
        return String(decoding: buffer[..<end], as: UTF8.self)
    }

    /// Reads a numeric scalar attribute, converting to `T`.
    public func attribute<T: HDF5Scalar>(_ name: String, as: T.Type = T.self) throws -> T {
        guard hasAttribute(name) else { throw HDF5Error("\(fileName): attribute '\(name)' not found") }
        let attr = try check("\(fileName): open attribute \(name)") { H5Aopen(id, name, wb_H5P_DEFAULT()) }
        defer { _ = locked { H5Aclose(attr) } }
        var v = T.zero
        _ = try withUnsafeMutablePointer(to: &v) { p in
            try check("\(fileName): read attribute \(name)") { H5Aread(attr, T.h5Type, p) }
        }
        return v
    }

    // MARK: links

    /// True when a link `name` (one path component or a path) exists.
    public func exists(_ path: String) -> Bool {
        locked {
            var prefix = ""
            for part in path.split(separator: "/") {
                prefix += prefix.isEmpty && !path.hasPrefix("/") ? String(part) : "/" + part
                if H5Lexists(id, prefix, wb_H5P_DEFAULT()) <= 0 { return false }
            }
            return true
        }
    }

    public func createGroup(_ name: String) throws -> H5Group {
        let gid = try check("\(fileName): create group \(name)") {
            H5Gcreate2(id, name, wb_H5P_DEFAULT(), wb_H5P_DEFAULT(), wb_H5P_DEFAULT())
        }
        return H5Group(id: gid)
    }

    public func openGroup(_ name: String) throws -> H5Group {
        guard exists(name) else { throw HDF5Error("\(fileName): group '\(name)' not found") }
        let gid = try check("\(fileName): open group \(name)") { H5Gopen2(id, name, wb_H5P_DEFAULT()) }
        return H5Group(id: gid)
    }

    /// Opens `name` when present, else creates it.
    public func group(_ name: String) throws -> H5Group {
        exists(name) ? try openGroup(name) : try createGroup(name)
    }

    public func delete(_ name: String) throws {
        try check("\(fileName): delete \(name)") { H5Ldelete(id, name, wb_H5P_DEFAULT()) }
    }

    /// Names of the links directly under this object, in name order.
    public func children() throws -> [String] {
        try NameList.collect("\(fileName): list children") { index, list in
            H5Literate(id, H5_INDEX_NAME, H5_ITER_INC, &index, { _, name, _, data in NameList.visit(name, data) }, list)
        }
    }

    // MARK: datasets

    /// Creates a dataset of `shape`; `maxShape` entries of nil mean unlimited.
    /// Chunking is required for unlimited or compressed datasets; `compression` is a deflate level.
    public func createDataset<T: HDF5Scalar>(
        _ name: String, of: T.Type, shape: [Int], maxShape: [Int?]? = nil,
        chunks: [Int]? = nil, compression: Int? = nil
    ) throws -> H5Dataset {
        try createDataset(name, type: T.h5Type, shape: shape, maxShape: maxShape,
                          chunks: chunks, compression: compression)
    }

    func createDataset(
        _ name: String, type: hid_t, shape: [Int], maxShape: [Int?]?,
        chunks: [Int]?, compression: Int?
    ) throws -> H5Dataset {
        var dims = shape.map { hsize_t($0) }
        var maxDims = (maxShape ?? shape.map { Optional($0) }).map { $0.map { hsize_t($0) } ?? wb_H5S_UNLIMITED() }
        let space = try check("\(fileName): dataspace for \(name)") { H5Screate_simple(Int32(dims.count), &dims, &maxDims) }
        defer { _ = locked { H5Sclose(space) } }
        let plist = try check("\(fileName): dataset properties") { H5Pcreate(wb_H5P_DATASET_CREATE()) }
        defer { _ = locked { H5Pclose(plist) } }
        if var chunkDims = chunks?.map({ hsize_t(max(1, $0)) }) {
            try check("\(fileName): set chunking for \(name)") { H5Pset_chunk(plist, Int32(chunkDims.count), &chunkDims) }
            if let level = compression {
                try check("\(fileName): set shuffle for \(name)") { H5Pset_shuffle(plist) }
                try check("\(fileName): set deflate for \(name)") { H5Pset_deflate(plist, UInt32(level)) }
            }
        } else if compression != nil {
            throw HDF5Error("\(fileName): dataset '\(name)': compression needs chunking")
        }
        let lcpl = try check("\(fileName): link properties") { H5Pcreate(wb_H5P_LINK_CREATE()) }
        defer { _ = locked { H5Pclose(lcpl) } }
        try check("\(fileName): intermediate groups") { H5Pset_create_intermediate_group(lcpl, 1) }
        let did = try check("\(fileName): create dataset \(name)") {
            H5Dcreate2(id, name, type, space, lcpl, plist, wb_H5P_DEFAULT())
        }
        return H5Dataset(id: did, name: name, file: fileName)
    }

    public func openDataset(_ name: String) throws -> H5Dataset {
        guard exists(name) else { throw HDF5Error("\(fileName): dataset '\(name)' not found") }
        let did = try check("\(fileName): open dataset \(name)") { H5Dopen2(id, name, wb_H5P_DEFAULT()) }
        return H5Dataset(id: did, name: name, file: fileName)
    }

    /// Writes a whole array as a new dataset of `shape` (default: 1-D).
    public func write<T: HDF5Scalar>(
        _ name: String, _ values: [T], shape: [Int]? = nil,
        chunks: [Int]? = nil, compression: Int? = nil
    ) throws {
        let shape = shape ?? [values.count]
        guard shape.reduce(1, *) == values.count else {
            throw HDF5Error("\(fileName): dataset '\(name)': \(values.count) values do not fill shape \(shape)")
        }
        let ds = try createDataset(name, of: T.self, shape: shape, chunks: chunks, compression: compression)
        try ds.write(values)
    }

    /// Reads a whole numeric dataset, converting to `T`.
    public func read<T: HDF5Scalar>(_ name: String, as: T.Type = T.self) throws -> [T] {
        try openDataset(name).read(as: T.self)
    }

    /// Writes variable-length UTF-8 strings as a 1-D dataset (h5py reads them as `bytes`/`str`).
    public func writeStrings(_ name: String, _ values: [String], compression: Int? = nil) throws {
        let type = try check("\(fileName): string type") { H5Tcopy(wb_H5T_C_S1()) }
        defer { _ = locked { H5Tclose(type) } }
        try check("\(fileName): string size") { H5Tset_size(type, wb_H5T_VARIABLE()) }
        try check("\(fileName): string charset") { H5Tset_cset(type, H5T_CSET_UTF8) }
        let chunk = values.isEmpty ? nil : [min(values.count, 65_536)]
        let ds = try createDataset(name, type: type, shape: [values.count], maxShape: nil,
                                   chunks: compression == nil ? nil : chunk,
                                   compression: values.isEmpty ? nil : compression)
        // Keep the C strings alive for the duration of the write.
        let cStrings = values.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var pointers = cStrings.map { UnsafePointer($0) }
        if !values.isEmpty {
            try check("\(fileName): write strings \(name)") {
                H5Dwrite(ds.id, type, wb_H5S_ALL(), wb_H5S_ALL(), wb_H5P_DEFAULT(), &pointers)
            }
        }
    }

    /// Reads a 1-D string dataset (variable or fixed length).
    public func readStrings(_ name: String) throws -> [String] {
        try openDataset(name).readStrings()
    }
}

/// An HDF5 file. Creating writes to the given path directly; callers wanting atomicity write to a
/// temporary path and rename (see `AtomicFile`).
public final class H5File: H5Object, @unchecked Sendable {
    public let path: String

    private init(id: hid_t, path: String) {
        self.path = path
        super.init(id: id, close: { H5Fclose($0) })
    }

    /// Creates (truncating) a file.
    public static func create(_ path: String) throws -> H5File {
        let fid = try check("create \(path)") {
            H5Fcreate(path, wb_H5F_ACC_TRUNC(), wb_H5P_DEFAULT(), wb_H5P_DEFAULT())
        }
        return H5File(id: fid, path: path)
    }

    /// Opens an existing file.
    public static func open(_ path: String, writable: Bool = false) throws -> H5File {
        guard FileManager.default.fileExists(atPath: path) else {
            throw HDF5Error("\(path): no such file")
        }
        guard locked({ H5Fis_hdf5(path) }) > 0 else {
            throw HDF5Error("\(path): not an HDF5 file")
        }
        let fid = try check("open \(path)") {
            H5Fopen(path, writable ? wb_H5F_ACC_RDWR() : wb_H5F_ACC_RDONLY(), wb_H5P_DEFAULT())
        }
        return H5File(id: fid, path: path)
    }

    /// Flushes buffers to disk.
    public func flush() throws {
        try check("flush \(path)") { H5Fflush(id, H5F_SCOPE_GLOBAL) }
    }
}

public final class H5Group: H5Object, @unchecked Sendable {
    init(id: hid_t) { super.init(id: id, close: { H5Gclose($0) }) }
}

/// An open dataset: shape queries, whole and partial (hyperslab) reads and writes, resizing.
public final class H5Dataset: @unchecked Sendable {
    public let id: hid_t
    public let name: String
    /// The file's path, for error messages.
    public let file: String
    init(id: hid_t, name: String, file: String) {
        self.id = id
        self.name = name
        self.file = file
    }
    deinit { locked { _ = H5Dclose(id) } }

    public var shape: [Int] {
        locked {
            let space = H5Dget_space(id)
            defer { H5Sclose(space) }
            let rank = Int(H5Sget_simple_extent_ndims(space))
            var dims = [hsize_t](repeating: 0, count: max(rank, 1))
            H5Sget_simple_extent_dims(space, &dims, nil)
            return rank == 0 ? [] : dims.map { Int($0) }
        }
    }

    public var count: Int { shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).overflow ? Int.max : $0 * $1 } }

    /// `count`, refused when `count × elementSize` bytes could not come from this file (a damaged
    /// shape must not become a giant allocation): at most what zlib could inflate the file to
    /// (~1032×), plus 64 MB for datasets never written (fill values).
    func checkedCount(elementSize: Int) throws -> Int {
        let n = count
        let fileSize: hsize_t = locked {
            let fid = H5Iget_file_id(id)
            defer { if fid >= 0 { H5Fclose(fid) } }
            var size: hsize_t = 0
            return fid >= 0 && H5Fget_filesize(fid, &size) >= 0 ? size : 0
        }
        let (bytes, overflow) = n.multipliedReportingOverflow(by: max(elementSize, 1))
        guard n < Int.max, !overflow, UInt64(bytes) <= UInt64(fileSize) * 1100 + (64 << 20) else {
            throw HDF5Error("\(file): dataset '\(name)' claims shape \(shape) (\(elementSize)-byte elements), "
                            + "more than a \(fileSize)-byte file can hold")
        }
        return n
    }

    /// Grows (or shrinks) the dataset to `shape`; needs unlimited or large enough max dims.
    public func resize(to shape: [Int]) throws {
        var dims = shape.map { hsize_t($0) }
        try check("\(file): resize \(name)") { H5Dset_extent(id, &dims) }
    }

    public func write<T: HDF5Scalar>(_ values: [T]) throws {
        guard values.count == count else {
            throw HDF5Error("\(file): dataset '\(name)': writing \(values.count) values into \(count)")
        }
        _ = try values.withUnsafeBytes { raw in
            try check("\(file): write \(name)") {
                H5Dwrite(id, T.h5Type, wb_H5S_ALL(), wb_H5S_ALL(), wb_H5P_DEFAULT(), raw.baseAddress)
            }
        }
    }

    public func read<T: HDF5Scalar>(as: T.Type = T.self) throws -> [T] {
        let n = try checkedCount(elementSize: MemoryLayout<T>.stride)
        var out = [T](repeating: T.zero, count: n)
        if n == 0 { return out }
        _ = try out.withUnsafeMutableBytes { raw in
            try check("\(file): read \(name)") {
                H5Dread(id, T.h5Type, wb_H5S_ALL(), wb_H5S_ALL(), wb_H5P_DEFAULT(), raw.baseAddress)
            }
        }
        return out
    }

    /// Reads the whole dataset into caller memory of exactly `count` elements.
    public func read<T: HDF5Scalar>(into buffer: UnsafeMutableBufferPointer<T>) throws {
        guard buffer.count == count else {
            throw HDF5Error("\(file): dataset '\(name)': buffer of \(buffer.count) for \(count) values")
        }
        if buffer.isEmpty { return }
        try check("\(file): read \(name)") {
            H5Dread(id, T.h5Type, wb_H5S_ALL(), wb_H5S_ALL(), wb_H5P_DEFAULT(), buffer.baseAddress)
        }
    }

    private func withSlab<R>(start: [Int], count: [Int], _ body: (hid_t, hid_t) throws -> R) throws -> R {
        let fileSpace = try check("\(file): dataspace of \(name)") { H5Dget_space(id) }
        defer { _ = locked { H5Sclose(fileSpace) } }
        var s = start.map { hsize_t($0) }
        var c = count.map { hsize_t($0) }
        try check("\(file): select hyperslab of \(name)") {
            H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &s, nil, &c, nil)
        }
        let memSpace = try check("\(file): memory space") { H5Screate_simple(Int32(c.count), &c, nil) }
        defer { _ = locked { H5Sclose(memSpace) } }
        return try body(fileSpace, memSpace)
    }

    /// Writes a block at `start` of extent `count` (row-major values).
    public func write<T: HDF5Scalar>(_ values: [T], start: [Int], count: [Int]) throws {
        guard values.count == count.reduce(1, *) else {
            throw HDF5Error("\(file): dataset '\(name)': \(values.count) values for block \(count)")
        }
        _ = try withSlab(start: start, count: count) { fileSpace, memSpace in
            try values.withUnsafeBytes { raw in
                try check("\(file): write block of \(name)") {
                    H5Dwrite(id, T.h5Type, memSpace, fileSpace, wb_H5P_DEFAULT(), raw.baseAddress)
                }
            }
        }
    }

    /// Reads a block at `start` of extent `count` (row-major).
    public func read<T: HDF5Scalar>(start: [Int], count: [Int], as: T.Type = T.self) throws -> [T] {
        var out = [T](repeating: T.zero, count: count.reduce(1, *))
        if out.isEmpty { return out }
        _ = try withSlab(start: start, count: count) { fileSpace, memSpace in
            try out.withUnsafeMutableBytes { raw in
                try check("\(file): read block of \(name)") {
                    H5Dread(id, T.h5Type, memSpace, fileSpace, wb_H5P_DEFAULT(), raw.baseAddress)
                }
            }
        }
        return out
    }

    /// Reads a 1-D string dataset (variable or fixed length).
    public func readStrings() throws -> [String] {
        let n = try checkedCount(elementSize: 16)
        if n == 0 { return [] }
        let fileType = try check("\(file): type of \(name)") { H5Dget_type(id) }
        defer { _ = locked { H5Tclose(fileType) } }
        guard locked({ H5Tget_class(fileType) }) == H5T_STRING else {
            throw HDF5Error("\(file): dataset '\(name)' does not hold strings")
        }
        if locked({ H5Tis_variable_str(fileType) }) > 0 {
            // Not through H5Dread: libhdf5 crashes on damaged string descriptors or heaps.
            return try readVariableStringsValidated(count: n)
        }
        let size = locked { H5Tget_size(fileType) }
        guard size > 0, size <= 1 << 20, size.multipliedReportingOverflow(by: n).partialValue <= Int(Int32.max),
              !size.multipliedReportingOverflow(by: n).overflow else {
            throw HDF5Error("\(file): dataset '\(name)': \(n) strings of \(size) bytes are too many")
        }
        var buffer = [UInt8](repeating: 0, count: size * n)
        _ = try buffer.withUnsafeMutableBytes { raw in
            try check("\(file): read strings \(name)") {
                H5Dread(id, fileType, wb_H5S_ALL(), wb_H5S_ALL(), wb_H5P_DEFAULT(), raw.baseAddress)
            }
        }
        return (0..<n).map { i in
            let slice = buffer[(i * size)..<((i + 1) * size)]
            let end = slice.firstIndex(of: 0) ?? slice.endIndex
            return String(decoding: slice[slice.startIndex..<end], as: UTF8.self)
        }
    }
}
