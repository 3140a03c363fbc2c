/// The rehearse release: `rehearse --version`, backup headers, SARIF and the deploy record.
public enum RehearseVersion {
    public static let current = "0.1.0"
}
