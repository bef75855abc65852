import XCTest

final class BoostingPlaceholderTests: XCTestCase {}
