import XCTest

final class EraDataPlaceholderTests: XCTestCase {}
