import XCTest

final class ParquetPlaceholderTests: XCTestCase {}
