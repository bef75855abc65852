import XCTest

final class DiversityPlaceholderTests: XCTestCase {}
