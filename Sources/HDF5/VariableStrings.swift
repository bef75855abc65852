import CCompression
import CHDF5
import Foundation

/// Variable-length strings read without libhdf5's conversion path.
///
/// libhdf5 1.10 trusts a string's 16-byte descriptor (length, global-heap collection address,
/// object index) and the heap collection it points to: a damaged file makes it index past its
/// object table or copy a heap object into a buffer sized by another length — a segfault or a
/// hang inside the library (a mutation sweep: ~20 % of single-byte damages to a string dataset).
/// So the descriptors are read as raw bytes (contiguous storage from the file; chunked storage
/// through `H5Dread_chunk`, undoing deflate and shuffle here), and every descriptor is checked
/// against the collection it names before any byte of the string is used:
///
/// - collection: signature `GCOL`, version 1, size ≥ 16, inside the file; objects (index u16,
///   reference count u16, 4 reserved, size u64, data padded to 8) inside the collection;
/// - descriptor: its object exists and its size equals the descriptor's length.
///
/// Every failure is an `HDF5Error` naming the file and dataset.
struct VariableStringReader {
    let file: String
    let name: String
    let fd: Int32
    let fileSize: Int
    /// Byte offset of HDF5 address 0 (the user block).
    let base: Int
    /// Collections read so far: their bytes and object table (index → offset in the bytes, size).
    var collections: [Int: (bytes: [UInt8], objects: [Int: (start: Int, size: Int)])] = [:]

    func fail(_ message: String) -> HDF5Error { HDF5Error("\(file): dataset '\(name)': \(message)") }

    init(file: String, name: String, base: Int) throws {
        self.file = file
        self.name = name
        self.base = base
        fd = open(file, O_RDONLY)
        guard fd >= 0 else { throw HDF5Error("\(file): cannot open to read strings of '\(name)'") }
        var info = stat()
        guard fstat(fd, &info) == 0 else { close(fd); throw HDF5Error("\(file): cannot stat") }
        fileSize = Int(info.st_size)
    }

    func closeFile() { close(fd) }

    /// `count` bytes at file offset `offset`, or an error when they are not all in the file.
    func bytes(at offset: Int, count: Int, _ what: String) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= fileSize, count <= fileSize - offset else {
            throw fail("\(what) at \(offset) (+\(count) bytes) lies outside the file (\(fileSize) bytes)")
        }
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            guard n > 0 else { throw fail("cannot read \(what)") }
            done += n
        }
        return out
    }

    static func load<T: FixedWidthInteger>(_ bytes: [UInt8], _ at: Int, as: T.Type) -> T {
        var v: T = 0
        for k in 0..<MemoryLayout<T>.size { v |= T(truncatingIfNeeded: bytes[at + k]) << (8 * k) }
        return v
    }

    /// The object table of the collection at HDF5 address `address`.
    mutating func collection(_ address: Int) throws -> (bytes: [UInt8], objects: [Int: (start: Int, size: Int)]) {
        if let known = collections[address] { return known }
        let offset = address &+ base
        let header = try bytes(at: offset, count: 16, "global heap collection header")
        guard header[0..<4].elementsEqual(Array("GCOL".utf8)), header[4] == 1 else {
            throw fail("string data points at \(address), which is not a global heap collection")
        }
        let size = Int(truncatingIfNeeded: Self.load(header, 8, as: UInt64.self))
        guard size >= 16, size <= fileSize else {
            throw fail("global heap collection at \(address) claims \(size) bytes")
        }
        let body = try bytes(at: offset, count: size, "global heap collection")
        var objects: [Int: (start: Int, size: Int)] = [:]
        var p = 16
        while p + 16 <= size {
            let index = Int(Self.load(body, p, as: UInt16.self))
            if index == 0 { break }   // free space: the rest of the collection
            let objectSize = Self.load(body, p + 8, as: UInt64.self)
            let start = p + 16
            guard objectSize <= UInt64(size - start) else {
                throw fail("global heap collection at \(address): object \(index) of \(objectSize) bytes overruns it")
            }
            guard objects[index] == nil else {
                throw fail("global heap collection at \(address): object \(index) appears twice")
            }
            objects[index] = (start, Int(objectSize))
            p = start + (Int(objectSize) + 7) & ~7
        }
        collections[address] = (body, objects)
        return (body, objects)
    }

    /// Strings from `count` packed 16-byte descriptors.
    mutating func strings(descriptors raw: [UInt8], count: Int) throws -> [String] {
        guard raw.count >= count * 16 else { throw fail("string descriptors hold \(raw.count) bytes for \(count) strings") }
        var out: [String] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let length = Int(Self.load(raw, i * 16, as: UInt32.self))
            let address = Int(truncatingIfNeeded: Self.load(raw, i * 16 + 4, as: UInt64.self))
            let index = Int(Self.load(raw, i * 16 + 12, as: UInt32.self))
            if length == 0 { out.append(""); continue }
            let (body, objects) = try collection(address)
            guard let object = objects[index] else {
                throw fail("string \(i) names object \(index) of the heap collection at \(address), which has no such object")
            }
            guard object.size == length else {
                throw fail("string \(i) has length \(length) but its heap object holds \(object.size) bytes")
            }
            let slice = body[object.start..<(object.start + length)]
            // libhdf5 hands strings out NUL-terminated: an embedded NUL ends them.
            let end = slice.firstIndex(of: 0) ?? slice.endIndex
            out.append(String(decoding: slice[slice.startIndex..<end], as: UTF8.self))
        }
        return out
    }
}

extension H5Dataset {
    /// Variable-length strings of this 1-D dataset, validated (see `VariableStringReader`).
    func readVariableStringsValidated(count n: Int) throws -> [String] {
        func fail(_ message: String) -> HDF5Error { HDF5Error("\(file): dataset '\(name)': \(message)") }
        let (base, addressSize, lengthSize) = try rawLayout(of: id, fail: fail)
        guard addressSize == 8, lengthSize == 8 else {
            throw fail("strings in files with \(addressSize)-byte addresses and \(lengthSize)-byte lengths are not supported")
        }
        guard shape.count == 1 else { throw fail("strings must be 1-D") }
        var reader = try VariableStringReader(file: file, name: name, base: base)
        defer { reader.closeFile() }
        let (byteCount, overflow) = n.multipliedReportingOverflow(by: 16)
        // zlib inflates at most ~1032×: more descriptors than that cannot be in the file.
        guard !overflow, byteCount / 1100 <= reader.fileSize else {
            throw fail("\(n) strings cannot be stored in a \(reader.fileSize)-byte file")
        }

        let layout: H5D_layout_t = try locked {
            let dcpl = H5Dget_create_plist(id)
            guard dcpl >= 0 else { throw fail("no creation properties") }
            defer { H5Pclose(dcpl) }
            return H5Pget_layout(dcpl)
        }
        switch layout {
        case H5D_CONTIGUOUS:
            let address = locked { H5Dget_offset(id) }
            if address == wb_HADDR_UNDEF() { return [String](repeating: "", count: n) }  // never written
            guard address < UInt64(Int.max - base) else { throw fail("data address \(address) is outside the file") }
            let raw = try reader.bytes(at: Int(address) + base, count: byteCount, "string descriptors")
            return try reader.strings(descriptors: raw, count: n)
        case H5D_CHUNKED:
            let raw = try readChunkedDescriptors(count: n, fail: fail)
            return try reader.strings(descriptors: raw, count: n)
        default:
            throw fail("strings in compact or virtual storage are not supported")
        }
    }

    /// The raw descriptors of a chunked 1-D string dataset: each chunk read as stored, then
    /// inflated (deflate) and unshuffled as its filter mask says; unwritten chunks are empty strings.
    private func readChunkedDescriptors(count n: Int, fail: (String) -> HDF5Error) throws -> [UInt8] {
        let (chunk, filters) = try locked { () throws -> (Int, [H5Z_filter_t]) in
            let dcpl = H5Dget_create_plist(id)
            guard dcpl >= 0 else { throw fail("no creation properties") }
            defer { H5Pclose(dcpl) }
            var dims: [hsize_t] = [0]
            guard H5Pget_chunk(dcpl, 1, &dims) == 1, dims[0] > 0, dims[0] <= 1 << 26 else {
                throw fail("bad chunk shape")
            }
            var filters: [H5Z_filter_t] = []
            let count = H5Pget_nfilters(dcpl)
            guard count >= 0, count <= 8 else { throw fail("bad filter pipeline") }
            for k in 0..<UInt32(count) {
                var flags: UInt32 = 0, values = 8, config: UInt32 = 0
                var cd = [UInt32](repeating: 0, count: 8)
                var nameBuffer = [CChar](repeating: 0, count: 64)
                let filter = H5Pget_filter2(dcpl, k, &flags, &values, &cd, 64, &nameBuffer, &config)
                guard filter == H5Z_FILTER_DEFLATE || filter == H5Z_FILTER_SHUFFLE else {
                    throw fail("strings compressed with filter \(filter) are not supported (deflate and shuffle are)")
                }
                filters.append(filter)
            }
            return (Int(dims[0]), filters)
        }
        var out = [UInt8](repeating: 0, count: n * 16)
        var start = 0
        while start < n {
            let rows = min(chunk, n - start), expected = chunk * 16
            var offset: [hsize_t] = [hsize_t(start)]
            var stored: hsize_t = 0
            let present = locked { H5Dget_chunk_storage_size(id, &offset, &stored) } >= 0 && stored > 0
            if present {
                guard stored <= hsize_t(max(expected * 2 + 1024, 1 << 20)) else {
                    throw fail("chunk at \(start) claims \(stored) stored bytes")
                }
                var buffer = [UInt8](repeating: 0, count: Int(stored))
                var mask: UInt32 = 0
                let status = buffer.withUnsafeMutableBytes { raw in
                    locked { H5Dread_chunk(id, wb_H5P_DEFAULT(), &offset, &mask, raw.baseAddress) }
                }
                guard status >= 0 else { throw fail("cannot read the chunk at \(start)") }
                var data = buffer
                // Filters were applied in pipeline order when writing: undo them in reverse.
                for (k, filter) in filters.enumerated().reversed() where mask & (1 << UInt32(k)) == 0 {
                    if filter == H5Z_FILTER_DEFLATE {
                        var plain = [UInt8](repeating: 0, count: expected)
                        var length = uLongf(expected)
                        let result = plain.withUnsafeMutableBytes { p in
                            data.withUnsafeBytes { q in
                                uncompress(p.baseAddress!.assumingMemoryBound(to: Bytef.self), &length,
                                           q.baseAddress!.assumingMemoryBound(to: Bytef.self), uLong(data.count))
                            }
                        }
                        guard result == Z_OK, Int(length) == expected else {
                            throw fail("chunk at \(start) does not inflate to \(expected) bytes")
                        }
                        data = plain
                    } else {
                        guard data.count == expected else { throw fail("chunk at \(start) has \(data.count) bytes, expected \(expected)") }
                        var plain = [UInt8](repeating: 0, count: expected)
                        for e in 0..<chunk { for b in 0..<16 { plain[e * 16 + b] = data[b * chunk + e] } }
                        data = plain
                    }
                }
                guard data.count == expected else { throw fail("chunk at \(start) has \(data.count) bytes, expected \(expected)") }
                out.replaceSubrange((start * 16)..<((start + rows) * 16), with: data[0..<(rows * 16)])
            }
            start += rows
        }
        return out
    }
}

/// The file-level layout facts raw reads need: user-block size and address/length widths.
func rawLayout(of id: hid_t, fail: (String) -> HDF5Error) throws -> (base: Int, addressSize: Int, lengthSize: Int) {
    try locked { () throws -> (Int, Int, Int) in
        let fid = H5Iget_file_id(id)
        guard fid >= 0 else { throw fail("no file") }
        defer { H5Fclose(fid) }
        let fcpl = H5Fget_create_plist(fid)
        guard fcpl >= 0 else { throw fail("no file creation properties") }
        defer { H5Pclose(fcpl) }
        var userBlock: hsize_t = 0, sizeofAddress = 0, sizeofSize = 0
        guard H5Pget_userblock(fcpl, &userBlock) >= 0, H5Pget_sizes(fcpl, &sizeofAddress, &sizeofSize) >= 0 else {
            throw fail("cannot read the file's address sizes")
        }
        return (Int(userBlock), sizeofAddress, sizeofSize)
    }
}

extension H5Object {
    /// A scalar variable-length string attribute read from the object header's bytes (version 1
    /// headers, what libhdf5 writes by default), validated like dataset strings; nil when the
    /// header is not version 1 (version 2 headers carry checksums libhdf5 verifies) or the
    /// attribute is not found there.
    func validatedVariableStringAttribute(_ attributeName: String) throws -> String? {
        let file = fileName
        func fail(_ message: String) -> HDF5Error { HDF5Error("\(file): attribute '\(attributeName)': \(message)") }
        let layout = try rawLayout(of: id, fail: fail)
        guard layout.addressSize == 8, layout.lengthSize == 8 else { return nil }
        var info = H5O_info_t()
        guard locked({ H5Oget_info2(id, &info, UInt32(H5O_INFO_BASIC)) }) >= 0 else { throw fail("cannot locate the object header") }
        var reader = try VariableStringReader(file: file, name: "@" + attributeName, base: layout.base)
        defer { reader.closeFile() }
        guard info.addr < UInt64(Int.max - layout.base) else { throw fail("object header address out of range") }
        let headerOffset = Int(info.addr) + layout.base
        let prefix = try reader.bytes(at: headerOffset, count: 16, "object header")
        guard prefix[0] == 1 else { return nil }
        let load32 = { (b: [UInt8], at: Int) in Int(VariableStringReader.load(b, at, as: UInt32.self)) }
        let load16 = { (b: [UInt8], at: Int) in Int(VariableStringReader.load(b, at, as: UInt16.self)) }
        var chunks = [(headerOffset + 16, load32(prefix, 8))]
        let wanted = Array(attributeName.utf8)
        var visited = 0
        while let (start, size) = chunks.popLast() {
            visited += 1
            guard visited <= 1024, size <= 1 << 24 else { throw fail("object header has too many or too large chunks") }
            let chunk = try reader.bytes(at: start, count: size, "object header chunk")
            var p = 0
            while p + 8 <= size {
                let type = load16(chunk, p), length = load16(chunk, p + 2)
                let body = p + 8
                guard length <= size - body else { throw fail("object header message overruns its chunk") }
                if type == 0x10, length >= 16 {   // continuation: another chunk of messages
                    let address = Int(truncatingIfNeeded: VariableStringReader.load(chunk, body, as: UInt64.self))
                    let count = Int(truncatingIfNeeded: VariableStringReader.load(chunk, body + 8, as: UInt64.self))
                    guard address >= 0, address < Int.max - layout.base, count >= 0 else { throw fail("bad header continuation") }
                    chunks.append((address + layout.base, count))
                } else if type == 0x0C, length >= 8 {   // attribute
                    let version = Int(chunk[body])
                    let nameSize = load16(chunk, body + 2), typeSize = load16(chunk, body + 4), spaceSize = load16(chunk, body + 6)
                    let pad = { (n: Int) in version == 1 ? (n + 7) & ~7 : n }
                    let nameStart = body + (version == 3 ? 9 : 8)
                    let dataStart = nameStart + pad(nameSize) + pad(typeSize) + pad(spaceSize)
                    guard (1...3).contains(version), nameSize >= 1, dataStart <= body + length else {
                        throw fail("malformed attribute message")
                    }
                    let storedName = chunk[nameStart..<(nameStart + nameSize - 1)]
                    if storedName.elementsEqual(wanted) {
                        guard dataStart + 16 <= body + length else { throw fail("attribute value is not a string descriptor") }
                        let descriptor = Array(chunk[dataStart..<(dataStart + 16)])
                        return try reader.strings(descriptors: descriptor, count: 1)[0]
                    }
                }
                p = body + length
            }
        }
        return nil
    }
}
