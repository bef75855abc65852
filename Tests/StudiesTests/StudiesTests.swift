import XCTest

final class StudiesPlaceholderTests: XCTestCase {}
