#pragma once
// A small value-or-error type in the spirit of tl::expected / std::expected (C++23).
// Loaders and every other fallible core entry point return Expected<T>; the error is a
// human-readable one-line message that the UI shows and the CLI prints.
#include <string>
#include <utility>
#include <variant>

namespace ascope {

struct Error {
    std::string message;
};

inline Error makeError(std::string message) { return Error{std::move(message)}; }

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

private:
    std::variant<T, Error> m_state;
};

// Expected<void> equivalent.
class Status {
public:
    Status() = default;
    Status(Error error) : m_ok(false), m_message(std::move(error.message)) {}
    static Status ok() { return Status(); }
    bool hasValue() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const std::string& error() const { return m_message; }

private:
    bool m_ok = true;
    std::string m_message;
};

}  // namespace ascope
