/// The paths of the gate and the portal: the route table and every link to them read them here.
enum PortalPath {
    static let verify = "/verify"
    static let verifyRedirecting = "/verify/redirect"
    static let login = "/login"
}
