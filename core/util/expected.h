#pragma once
// A small value-or-error type in the spirit of tl::expected / std::expected (C++23).
// Loaders and every other fallible core entry point return Expected<T> (or Status); the error
// has a kind, which callers branch on (a cancelled run is not a failure to show), and a
// human-readable one-line message that the GUI shows and the CLI prints.
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace ascope {

enum class ErrorKind {
    InvalidInput,  // malformed or out-of-range input: a file, a parameter, a text
    Unsupported,   // well-formed, but something this program does not handle (yet)
    Io,            // the operating system refused: missing file, no permission, disk full
    Cancelled,     // the caller asked to stop; not a failure
    Internal,      // a bug or an unexpected library exception
};

inline const char* errorKindName(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::InvalidInput: return "invalid input";
    case ErrorKind::Unsupported: return "unsupported";
    case ErrorKind::Io: return "I/O error";
    case ErrorKind::Cancelled: return "cancelled";
    case ErrorKind::Internal: break;
    }
    return "internal error";
}

struct Error {
    ErrorKind kind = ErrorKind::Internal;
    std::string message;
};

inline Error makeError(ErrorKind kind, std::string message) { return Error{kind, std::move(message)}; }
inline Error cancelledError() { return Error{ErrorKind::Cancelled, "cancelled"}; }
// The same error, its message prefixed with where it happened ("cannot resume: ...").
inline Error withContext(Error error, const std::string& prefix) {
    error.message = prefix + error.message;
    return error;
}

template <typename T>
class Expected {
public:
    Expected(T value) : m_state(std::in_place_index<0>, std::move(value)) {}
    Expected(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}

    bool hasValue() const { return m_state.index() == 0; }
    explicit operator bool() const { return hasValue(); }

    T& value() & { return std::get<0>(m_state); }
    const T& value() const& { return std::get<0>(m_state); }
    T&& value() && { return std::get<0>(std::move(m_state)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const std::string& error() const { return std::get<1>(m_state).message; }
    const Error& errorValue() const { return std::get<1>(m_state); }
    ErrorKind errorKind() const { return std::get<1>(m_state).kind; }

private:
    std::variant<T, Error> m_state;
};

// Expected<void> equivalent.
class Status {
public:
    Status() = default;
    Status(Error error) : m_error(std::move(error)) {}
    static Status ok() { return Status(); }
    bool hasValue() const { return !m_error; }
    explicit operator bool() const { return hasValue(); }
    const std::string& error() const { return m_error->message; }
    const Error& errorValue() const { return *m_error; }
    ErrorKind errorKind() const { return m_error->kind; }

private:
    std::optional<Error> m_error;
};

}  // namespace ascope
