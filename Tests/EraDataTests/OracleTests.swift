import XCTest
import TestSupport
@testable import EraData

/// Files we write, read back by an independent reader (h5py; pandas for the CSV source).
final class OracleTests: XCTestCase {
    var directory: URL!
    override func setUp() { directory = TestSupport.temporaryDirectory("oracle") }
    override func tearDown() { try? FileManager.default.removeItem(at: directory) }

    /// Dumps every array of a dataset file as raw little-endian binaries / text lines.
    static let dumpScript = """
    import sys, json, h5py, numpy as np
    path, out = sys.argv[1], sys.argv[2]
    with h5py.File(path, "r") as f:
        assert f["features"].dtype == np.uint8 and f["targets"].dtype == np.float32
        assert f["era_of_row"].dtype == np.int32 and f["split_of_row"].dtype == np.uint8
        n = f["ids"].shape[0]
        assert f["features"].shape == (f["feature_names"].shape[0], n)
        assert f["features"].chunks[0] == 1, f["features"].chunks
        assert f["features"].compression == "gzip"
        f["features"][:].tofile(out + "/features.bin")
        f["targets"][:].tofile(out + "/targets.bin")
        f["era_of_row"][:].tofile(out + "/era_of_row.bin")
        f["split_of_row"][:].tofile(out + "/split_of_row.bin")
        if "true_signal" in f:
            f["true_signal"][:].astype(np.float32).tofile(out + "/true_signal.bin")
        for name in ["ids", "eras", "feature_names", "target_names"]:
            with open(out + "/" + name + ".json", "w") as g:
                json.dump(list(f[name].asstr()[:]), g)
        attrs = {k: (v.item() if hasattr(v, "item") else v) for k, v in f.attrs.items()}
        attrs["metadata"] = dict(f["metadata"].attrs.items())
        with open(out + "/attrs.json", "w") as g:
            json.dump(attrs, g)
    print("dumped")
    """

    func load<T>(_ name: String, as: T.Type) throws -> [T] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        return data.withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
    }

    func loadStrings(_ name: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(contentsOf: directory.appendingPathComponent(name)))
    }

    func testSyntheticFileReadByH5py() throws {
        var config = SyntheticConfig(eras: 20, rowsPerEra: 200, features: 13, targets: 3, seed: 11)
        config.liveEra = true
        let d = SyntheticGenerator.generate(config)
        let file = directory.appendingPathComponent("synth.h5").path
        try DatasetFile.write(d, to: file)
        let result = try TestSupport.python(Self.dumpScript, [file, directory.path])
        XCTAssertEqual(result.status, 0, result.stderr)

        XCTAssertEqual(try load("features.bin", as: UInt8.self), Array(d.features.storage))
        XCTAssertEqual(try load("targets.bin", as: UInt32.self), d.targets.flatMap { $0.map(\.bitPattern) })
        XCTAssertEqual(try load("true_signal.bin", as: Float.self), d.trueSignal!)
        XCTAssertEqual(try load("era_of_row.bin", as: Int32.self), d.eraOfRow)
        XCTAssertEqual(try load("split_of_row.bin", as: UInt8.self), d.splitOfRow.map(\.code))
        XCTAssertEqual(try loadStrings("ids.json"), d.ids)
        XCTAssertEqual(try loadStrings("eras.json"), d.eras)
        XCTAssertEqual(try loadStrings("feature_names.json"), d.featureNames)
        XCTAssertEqual(try loadStrings("target_names.json"), d.targetNames)
        let attrs = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("attrs.json"))) as! [String: Any]
        XCTAssertEqual(attrs["format"] as? String, "workbench-dataset")
        XCTAssertEqual(attrs["format_version"] as? Int, 1)
        XCTAssertEqual(attrs["split_names"] as? String, "train,validation,live,test")
        XCTAssertEqual(attrs["metadata"] as? [String: String], d.metadata)
        // NaN survives: aux targets in early eras and the live era.
        XCTAssertTrue(d.targets[1].contains { $0.isNaN })
    }

    /// pandas writes Numerai-layout CSVs (int and float features, NaN targets, string eras in two files);
    /// we import and write HDF5; pandas + h5py compare every value independently.
    static let csvOracle = """
    import sys, h5py, numpy as np, pandas as pd
    mode, out = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(5)
    if mode == "write":
        frames = []
        for split, eras in [("train", range(1, 13)), ("validation", range(17, 21))]:
            rows = []
            for e in eras:
                n = 40 + e
                df = pd.DataFrame({"id": [f"id{e}_{i}" for i in range(n)], "era": f"era{e}", "data_type": split})
                for j in range(6):
                    df[f"feature_int{j}"] = rng.integers(0, 5, n)
                df["feature_float"] = rng.normal(size=n) * 1e3
                df["feature_coarse"] = rng.choice([-0.5, 0.1, 7.25], n)
                df["target"] = rng.choice([0, .25, .5, .75, 1], n)
                df["target_aux"] = np.where(rng.random(n) < 0.2, np.nan, rng.choice([0, .25, .5, .75, 1], n))
                rows.append(df)
            frame = pd.concat(rows)
            frame = frame.sample(frac=1, random_state=1) if split == "train" else frame
            frame.to_csv(f"{out}/{split}.csv", index=False)
        print("written")
        sys.exit(0)
    paths = [f"{out}/train.csv", f"{out}/validation.csv"]
    df = pd.concat([pd.read_csv(p) for p in paths], ignore_index=True)
    era_number = df["era"].str[3:].astype(int)
    df = df.iloc[np.argsort(era_number.to_numpy(), kind="stable")].reset_index(drop=True)
    with h5py.File(sys.argv[3], "r") as f:
        fnames = list(f["feature_names"].asstr()[:])
        tnames = list(f["target_names"].asstr()[:])
        assert fnames == [c for c in df.columns if c.startswith("feature_")], fnames
        assert tnames == ["target", "target_aux"], tnames
        assert list(f["ids"].asstr()[:]) == list(df["id"]), "ids"
        eras = np.array(f["eras"].asstr()[:])
        assert list(eras) == sorted(df["era"].unique(), key=lambda s: int(s[3:])), list(eras)
        assert list(eras[f["era_of_row"][:]]) == list(df["era"]), "era_of_row"
        names = f.attrs["split_names"].split(",")
        assert [names[c] for c in f["split_of_row"][:]] == list(df["data_type"]), "splits"
        X = f["features"][:]
        edges = f["bin_edges"][:]
        counts = f["bin_counts"][:]
        for j, name in enumerate(fnames):
            values = df[name].to_numpy()
            if name.startswith("feature_int"):
                assert (X[j] == values).all(), name
                assert np.isnan(edges[j]).all() and counts[j] == values.max() + 1, name
                continue
            e = edges[j][~np.isnan(edges[j])]
            s = np.sort(values)
            u = np.unique(s)
            if len(u) <= 255:
                expected = u
            else:
                expected = np.unique(s[np.ceil(np.arange(1, 256) * len(s) / 255).astype(int) - 1])
            assert np.array_equal(e, expected), (name, e[:5], expected[:5])
            assert counts[j] == len(e), name
            assert (X[j] == np.searchsorted(e, values, side="left")).all(), name
        T = f["targets"][:]
        for t, name in enumerate(tnames):
            expected = df[name].to_numpy(dtype=np.float32)
            assert np.array_equal(T[t], expected, equal_nan=True), name
            assert np.isnan(T[t]).sum() == np.isnan(expected).sum()
    print("OK")
    """

    func testImportedFileMatchesPandasAndH5py() throws {
        let written = try TestSupport.python(Self.csvOracle, ["write", directory.path])
        XCTAssertEqual(written.status, 0, written.stderr)
        let d = try CSVImporter.read(paths: ["train.csv", "validation.csv"].map { directory.appendingPathComponent($0).path })
        XCTAssertEqual(d.rowCount, (1...12).map { 40 + $0 }.reduce(0, +) + (17...20).map { 40 + $0 }.reduce(0, +))
        let file = directory.appendingPathComponent("imported.h5").path
        try DatasetFile.write(d, to: file)
        let checked = try TestSupport.python(Self.csvOracle, ["check", directory.path, file])
        XCTAssertEqual(checked.status, 0, checked.stderr)
        XCTAssertEqual(checked.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "OK")
    }
}
