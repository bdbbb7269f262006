// OpenSSL 3 routes SHA256() through a provider fetch per call (about 8 000 instructions for a
// 36-byte session id); the direct digest functions cost a fraction, so they are used, deprecated
// or not.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>

static inline void clibcrypto_sha256(const void *data, size_t count, unsigned char *digest) {
    SHA256_CTX context;
    SHA256_Init(&context);
    SHA256_Update(&context, data, count);
    SHA256_Final(digest, &context);
}
