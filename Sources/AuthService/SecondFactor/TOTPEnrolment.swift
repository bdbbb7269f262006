/// A new TOTP secret for one user: what enrolment shows once (the secret as base32 text, its
/// `otpauth://` URI and a QR code of that URI) and what the store keeps (the secret sealed to the
/// user, never the secret itself).
public struct TOTPEnrolment: Sendable {
    /// The secret in base32, for typing into an app.
    public let secret: String
    /// The `otpauth://totp/…` URI an app reads from the QR code.
    public let uri: String
    /// The URI as a QR code (SVG). A URI always fits: an email of at most 250 bytes, percent-encoded,
    /// stays well below the 2 331 bytes a code at level M holds; nil only if libqrencode fails.
    public let qrCode: String?
    /// The secret sealed to its user, for the store.
    public let sealed: SealedSecret

    /// A new random secret for user `userID` with email `account`, sealed under `keys`.
    static func make(userID: Int64, account: String, issuer: String, keys: SealingKeyring) throws(CryptoFailure)
        -> TOTPEnrolment
    {
        let secret = TOTP.makeSecret()
        let uri = OTPAuthURI.make(secret: secret, account: account, issuer: issuer)
        return TOTPEnrolment(
            secret: Base32.encode(secret), uri: uri, qrCode: QRCodeSVG.make(uri),
            sealed: try keys.seal(secret, for: .totpSecret(userID: userID, email: account)))
    }
}
