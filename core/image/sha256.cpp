#include "image/sha256.h"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <stdexcept>

namespace dpflow {

struct Sha256::Context {
    EVP_MD_CTX* digest = nullptr;
};

Sha256::Sha256() : context_(std::make_unique<Context>()) {
    context_->digest = EVP_MD_CTX_new();
    if (!context_->digest || EVP_DigestInit_ex(context_->digest, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("OpenSSL could not start a SHA-256 digest");
}

Sha256::~Sha256() { EVP_MD_CTX_free(context_->digest); }

void Sha256::update(const void* data, std::size_t size) { EVP_DigestUpdate(context_->digest, data, size); }

void Sha256::updateWithFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path.string() + ": cannot open the file to hash it");
    std::array<char, 1 << 16> block{};
    while (in) {
        in.read(block.data(), block.size());
        if (in.gcount() > 0) update(block.data(), static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad()) throw std::runtime_error(path.string() + ": read error while hashing");
}

std::string Sha256::hexDigest() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_->digest, digest.data(), &length) != 1)
        throw std::runtime_error("OpenSSL could not finish a SHA-256 digest");
    static const char* const kHex = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 15];
    }
    return hex;
}

std::string sha256Hex(const void* data, std::size_t size) {
    Sha256 hash;
    hash.update(data, size);
    return hash.hexDigest();
}

std::string sha256OfFile(const std::filesystem::path& path) {
    Sha256 hash;
    hash.updateWithFile(path);
    return hash.hexDigest();
}

}  // namespace dpflow
