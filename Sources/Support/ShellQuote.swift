/// `s` as one bash word: unchanged when it holds only letters, digits and `/._-+=:,@`, otherwise
/// in single quotes with each `'` written `'\''`. Used for the commands the workbench prints for
/// the user to paste (resume, merge, sbatch).
public func shellQuote(_ s: String) -> String {
    if !s.isEmpty, s.allSatisfy({ $0.isLetter || $0.isNumber || "/._-+=:,@".contains($0) }) { return s }
    return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}
