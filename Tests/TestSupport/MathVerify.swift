import Foundation

/// HuggingFace math-verify, the reference the math verifier's agreement tests compare with: the
/// venv made by `.ci/install-mathverify.sh` (`$MATHVERIFY_VENV`, else `/opt/ttsbench-mathverify-venv`)
/// and the scripts in `tools/math-verify-agreement`.
///
/// ```swift
/// @Test(.enabled(if: MathVerify.present || requireInputs, Comment(rawValue: MathVerify.absentReason)))
/// func agrees() throws {
///     try #require(MathVerify.present, Comment(rawValue: MathVerify.requiredButAbsent))
///     let (status, output) = try MathVerify.run("verify_cases.py", [fixture])
/// }
/// ```
public enum MathVerify {
    /// The venv's python.
    public static let python: String = {
        let venv = ProcessInfo.processInfo.environment["MATHVERIFY_VENV"] ?? "/opt/ttsbench-mathverify-venv"
        return venv + "/bin/python"
    }()
    public static let present = FileManager.default.isExecutableFile(atPath: python)
    /// Why a test that needs the venv is skipped.
    public static var absentReason: String {
        "math-verify venv not found (\(python)): run `bash .ci/install-mathverify.sh` or set MATHVERIFY_VENV"
    }
    /// The failure of such a test under `TTSBENCH_REQUIRE_INPUTS=1` without the venv.
    public static var requiredButAbsent: String {
        "TTSBENCH_REQUIRE_INPUTS=1 but the math-verify venv is missing: \(python)"
    }

    /// Runs `tools/math-verify-agreement/<script>` with `arguments` in the venv; returns its exit
    /// status and standard output (its standard error is dropped).
    public static func run(_ script: String, _ arguments: [String]) throws -> (status: Int32, output: Data) {
        try runProcess(python, [scriptPath(script)] + arguments, discardErrors: true)
    }

    /// The path of `tools/math-verify-agreement/<script>`.
    public static func scriptPath(_ script: String) -> String {
        (packageRoot as NSString).appendingPathComponent("tools/math-verify-agreement/" + script)
    }
}
