/// bcrypt hashes made once with Python's `bcrypt` 5.0.0 (`bcrypt.hashpw(password, bcrypt.gensalt(cost))`).
enum TestVectors {
    /// The seed integration test's password, hashed as the seed does it (cost 12).
    static let seedPassword = "b4l0u"
    static let seedHash = "$2b$12$x409CCJ7kVeJut14.Z/Cj.nbEJLBiiEVbdEZfKkac6.0fhEYDUQnK"

    /// "correct horse" at cost 4 under each prefix ($2y$ made by giving Python a $2y$ salt).
    static let password = "correct horse"
    static let hash2b = "$2b$04$quxSMhl5LZYSGiJbkojoJ.b4qSpiKAJThNfNzA..5/CmZaDaBjemK"
    static let hash2a = "$2a$04$B/f5YrPZ9Z3H5pms9E7oQuQ9wS8U.ApsULQ0jLMWJiSoB.RMLN54."
    static let hash2y = "$2y$04$jRAxSnJajZF/AINosIMDLuFuduFe0P6BDelQi0SKtVvmyXmvoDngy"
}
