#pragma once
// An allocator whose resize() leaves new floats uninitialised instead of zeroing them: for large
// buffers that are written in full right after (every attention matrix of a run, 151 MB for
// BERT-base at 512 tokens), where zeroing first is a second pass over memory for nothing.
#include <memory>
#include <new>
#include <utility>

namespace ascope {

template <class T, class Base = std::allocator<T>>
class DefaultInitAllocator : public Base {
public:
    template <class U>
    struct rebind {
        using other = DefaultInitAllocator<U, typename std::allocator_traits<Base>::template rebind_alloc<U>>;
    };
    using Base::Base;

    template <class U>
    void construct(U* p) noexcept(std::is_nothrow_default_constructible<U>::value) {
        ::new (static_cast<void*>(p)) U;  // default-initialised: no zeroing for floats
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        std::allocator_traits<Base>::construct(static_cast<Base&>(*this), p, std::forward<Args>(args)...);
    }
};

}  // namespace ascope
