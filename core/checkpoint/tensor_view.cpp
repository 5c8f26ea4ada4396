#include "checkpoint/tensor_view.h"

#include <cstring>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace ascope {

namespace {
struct DTypeInfo {
    DType dtype;
    const char* name;
    std::size_t size;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::F64, "F64", 8}, {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4}, {DType::I16, "I16", 2}, {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},   {DType::Bool, "BOOL", 1},
};

float halfToFloat(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000) << 16;
    std::uint32_t exponent = (h >> 10) & 0x1F;
    std::uint32_t mantissa = h & 0x3FF;
    std::uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {  // subnormal: normalise
            exponent = 127 - 15 + 1;
            while ((mantissa & 0x400) == 0) {
                mantissa <<= 1;
                --exponent;
            }
            mantissa &= 0x3FF;
            bits = sign | (exponent << 23) | (mantissa << 13);
        }
    } else if (exponent == 0x1F) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}
}  // namespace

std::size_t dtypeSize(DType dtype) {
    for (const auto& d : kDTypes)
        if (d.dtype == dtype) return d.size;
    return 0;
}

const char* dtypeName(DType dtype) {
    for (const auto& d : kDTypes)
        if (d.dtype == dtype) return d.name;
    return "?";
}

bool parseDType(const std::string& name, DType& out) {
    for (const auto& d : kDTypes) {
        if (name == d.name) {
            out = d.dtype;
            return true;
        }
    }
    return false;
}

std::int64_t TensorView::elementCount() const {
    std::int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
}

std::string TensorView::shapeString() const {
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i) s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

bool isFloatingDType(DType dtype) {
    return dtype == DType::F32 || dtype == DType::F64 || dtype == DType::F16 || dtype == DType::BF16;
}

namespace {
// Half to float eight at a time with the F16C instruction (exact, as halfToFloat; every x86-64
// CPU of the last decade has it). Returns how many elements it converted.
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("f16c,avx"))) std::size_t halvesToFloatsF16c(const unsigned char* in, float* out, std::size_t n) {
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i h;
        std::memcpy(&h, in + i * 2, 16);
        _mm256_storeu_ps(out + i, _mm256_cvtph_ps(h));
    }
    return i;
}
bool hasF16c() {
    // F16C is bit 29 of CPUID leaf 1's ECX (older clang has no "f16c" for __builtin_cpu_supports);
    // "avx" also checks that the operating system saves the YMM registers.
    static const bool has = [] {
        unsigned a = 0, b = 0, c = 0, d = 0;
        return __builtin_cpu_supports("avx") && __get_cpuid(1, &a, &b, &c, &d) != 0 && (c & (1u << 29)) != 0;
    }();
    return has;
}
// bfloat16 to float eight at a time: each value's 16 bits become the high half of a float (SSE2,
// which every x86-64 CPU has). Returns how many elements it converted.
std::size_t bfloat16sToFloatsSse2(const unsigned char* in, float* out, std::size_t n) {
    std::size_t i = 0;
    const __m128i zero = _mm_setzero_si128();
    for (; i + 8 <= n; i += 8) {
        const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i * 2));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), _mm_unpacklo_epi16(zero, h));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i + 4), _mm_unpackhi_epi16(zero, h));
    }
    return i;
}
#else
std::size_t bfloat16sToFloatsSse2(const unsigned char*, float*, std::size_t) { return 0; }
std::size_t halvesToFloatsF16c(const unsigned char*, float*, std::size_t) { return 0; }
bool hasF16c() { return false; }
#endif
}  // namespace

bool toFloat32(const TensorView& view, float* out) {
    const std::size_t n = static_cast<std::size_t>(view.elementCount());
    switch (view.dtype) {
    case DType::F32:
        if (n) std::memcpy(out, view.data, n * 4);
        return true;
    case DType::F64:
        for (std::size_t i = 0; i < n; ++i) {
            double v;
            std::memcpy(&v, view.data + i * 8, 8);
            out[i] = static_cast<float>(v);
        }
        return true;
    case DType::F16:
        for (std::size_t i = hasF16c() ? halvesToFloatsF16c(view.data, out, n) : 0; i < n; ++i) {
            std::uint16_t h;
            std::memcpy(&h, view.data + i * 2, 2);
            out[i] = halfToFloat(h);
        }
        return true;
    case DType::BF16:
        for (std::size_t i = bfloat16sToFloatsSse2(view.data, out, n); i < n; ++i) {
            std::uint16_t h;
            std::memcpy(&h, view.data + i * 2, 2);
            const std::uint32_t bits = static_cast<std::uint32_t>(h) << 16;
            std::memcpy(&out[i], &bits, 4);
        }
        return true;
    default:
        return false;
    }
}

bool toFloat32(const TensorView& view, std::vector<float>& out) {
    if (!isFloatingDType(view.dtype)) return false;
    out.resize(static_cast<std::size_t>(view.elementCount()));
    return toFloat32(view, out.data());
}

namespace {
std::uint32_t floatBits(float value) {
    std::uint32_t bits;
    std::memcpy(&bits, &value, 4);
    return bits;
}
// Drops the low `shift` bits of `value`, rounding to nearest, ties to even.
std::uint32_t roundShift(std::uint32_t value, std::uint32_t shift) {
    const std::uint32_t kept = value >> shift, rest = value & ((1u << shift) - 1), half = 1u << (shift - 1);
    return kept + ((rest > half || (rest == half && (kept & 1))) ? 1 : 0);
}
}  // namespace

std::uint16_t floatToHalf(float value) {
    const std::uint32_t bits = floatBits(value);
    const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000);
    const std::uint32_t magnitude = bits & 0x7FFFFFFF;
    if (magnitude > 0x7F800000) return sign | 0x7E00;                // NaN
    if (magnitude >= 0x477FF000) return sign | 0x7C00;               // rounds past 65504: infinity
    if (magnitude >= 0x38800000)                                     // a normal half (2^-14 and up)
        return static_cast<std::uint16_t>(sign | roundShift(magnitude - (112u << 23), 13));
    if (magnitude < 0x33000000) return sign;                         // under half the smallest subnormal
    const std::uint32_t exponent = magnitude >> 23;                  // 102..112: a subnormal half
    const std::uint32_t mantissa = (magnitude & 0x7FFFFF) | 0x800000;
    return static_cast<std::uint16_t>(sign | roundShift(mantissa, 126 - exponent));
}

std::uint16_t floatToBFloat16(float value) {
    const std::uint32_t bits = floatBits(value);
    if ((bits & 0x7FFFFFFF) > 0x7F800000) return 0x7FC0;
    return static_cast<std::uint16_t>(roundShift(bits, 16));
}

}  // namespace ascope
