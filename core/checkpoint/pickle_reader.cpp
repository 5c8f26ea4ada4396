#include "checkpoint/pickle_reader.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>

namespace ascope {

bool PickleValue::isCallOf(const std::string& global) const {
    return kind == Kind::Call && !items.empty() && items[0]->kind == Kind::Global && items[0]->text == global;
}

const PickleValue* PickleValue::dictFind(const std::string& key) const {
    if (kind != Kind::Dict) return nullptr;
    for (std::size_t i = 0; i + 1 < items.size(); i += 2)
        if (items[i]->kind == Kind::String && items[i]->text == key) return items[i + 1];
    return nullptr;
}

namespace {
using Kind = PickleValue::Kind;

class Unpickler {
public:
    Unpickler(const std::uint8_t* data, std::size_t size, const std::string& label, const PickleGlobalFilter& allow)
        : m_data(data), m_size(size), m_label(label), m_allow(allow), m_doc(std::make_shared<PickleDocument>()) {}

    Expected<std::shared_ptr<PickleDocument>> run() {
        try {
            while (true) {
                const std::uint8_t op = take(1)[0];
                if (op == '.') break;
                step(op);
            }
            if (m_stack.size() != 1 || !m_marks.empty()) fail("pickle ends with a malformed stack");
            m_doc->root = m_stack.back();
            m_doc->bytesRead = m_pos;
            return m_doc;
        } catch (const Failure& f) {
            return makeError(ErrorKind::InvalidInput, m_label + ": " + f.message);
        }
    }

private:
    struct Failure {
        std::string message;
    };
    [[noreturn]] void fail(const std::string& why) const { throw Failure{why}; }

    const std::uint8_t* take(std::size_t n) {
        if (n > m_size - m_pos) fail("pickle data ends early (file truncated?)");
        const auto* p = m_data + m_pos;
        m_pos += n;
        return p;
    }
    std::uint64_t takeLe(int bytes) {
        const auto* p = take(static_cast<std::size_t>(bytes));
        std::uint64_t v = 0;
        for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | p[i];
        return v;
    }
    std::string takeLine() {
        std::size_t end = m_pos;
        while (end < m_size && m_data[end] != '\n') ++end;
        if (end >= m_size) fail("pickle data ends early (file truncated?)");
        std::string s(reinterpret_cast<const char*>(m_data + m_pos), end - m_pos);
        m_pos = end + 1;
        return s;
    }
    std::string takeString(std::uint64_t n) {
        if (n > m_size - m_pos) fail("pickle data ends early (file truncated?)");
        const auto* p = take(static_cast<std::size_t>(n));
        return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
    }

    PickleValue* make(Kind kind) {
        m_doc->arena.push_back(std::make_unique<PickleValue>());
        m_doc->arena.back()->kind = kind;
        return m_doc->arena.back().get();
    }
    void push(const PickleValue* v) { m_stack.push_back(v); }
    const PickleValue* pop() {
        if (m_stack.size() <= (m_marks.empty() ? 0 : m_marks.back())) fail("pickle stack underflow");
        const auto* v = m_stack.back();
        m_stack.pop_back();
        return v;
    }
    std::vector<const PickleValue*> popToMark() {
        if (m_marks.empty()) fail("pickle MARK missing");
        const std::size_t mark = m_marks.back();
        m_marks.pop_back();
        std::vector<const PickleValue*> items(m_stack.begin() + static_cast<std::ptrdiff_t>(mark), m_stack.end());
        m_stack.resize(mark);
        return items;
    }
    PickleValue* mutableTop(Kind kind, const char* op) {
        if (m_stack.empty() || m_stack.size() <= (m_marks.empty() ? 0 : m_marks.back()) || m_stack.back()->kind != kind)
            fail(std::string(op) + " applied to the wrong kind of value");
        return const_cast<PickleValue*>(m_stack.back());
    }
    PickleValue* makeInt(std::int64_t v) {
        auto* x = make(Kind::Int);
        x->integer = v;
        return x;
    }
    PickleValue* makeText(Kind kind, std::string s) {
        auto* x = make(kind);
        x->text = std::move(s);
        return x;
    }
    void pushGlobal(const std::string& module, const std::string& name) {
        if (!m_allow || !m_allow(module, name))
            fail("refuses to load '" + module + "." + name + "' (only tensor data is read; nothing is executed)");
        push(makeText(Kind::Global, module + "." + name));
    }
    void memoPut(std::uint64_t key) {
        if (m_stack.empty()) fail("pickle memo store on an empty stack");
        m_memo[key] = m_stack.back();
    }
    void memoGet(std::uint64_t key) {
        auto it = m_memo.find(key);
        if (it == m_memo.end()) fail("pickle refers to memo entry " + std::to_string(key) + " that was never stored");
        push(it->second);
    }
    std::int64_t parseLong(const std::uint8_t* p, std::uint64_t n) {
        std::uint64_t v = 0;
        for (std::uint64_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
        if (n > 0 && n < 8 && (p[n - 1] & 0x80)) v |= ~0ull << (8 * n);  // sign-extend
        return static_cast<std::int64_t>(v);
    }
    void call(const PickleValue* callable, const PickleValue* args) {
        if (callable->kind != Kind::Global) fail("REDUCE on something that is not a known global");
        if (args->kind != Kind::Tuple) fail("REDUCE arguments are not a tuple");
        if (callable->text == "collections.OrderedDict" && args->items.empty()) {
            push(make(Kind::Dict));
            return;
        }
        auto* c = make(Kind::Call);
        c->items = {callable, args};
        push(c);
    }
    void setItems(std::vector<const PickleValue*> kv) {
        if (kv.size() % 2) fail("SETITEMS with an odd number of values");
        auto* d = mutableTop(Kind::Dict, "SETITEMS");
        d->items.insert(d->items.end(), kv.begin(), kv.end());
    }

    void step(std::uint8_t op) {
        switch (op) {
        case 0x80: take(1); break;                    // PROTO
        case 0x95: take(8); break;                    // FRAME (frames are just read through)
        case '(': m_marks.push_back(m_stack.size()); break;  // MARK
        case '0': pop(); break;                       // POP
        case '1': popToMark(); break;                 // POP_MARK
        case '2': {                                   // DUP
            const auto* v = pop();
            push(v);
            push(v);
            break;
        }
        case 'N': push(make(Kind::None)); break;
        case 0x88:
        case 0x89: {
            auto* b = make(Kind::Bool);
            b->integer = op == 0x88;
            push(b);
            break;
        }
        case 'I': {
            const std::string line = takeLine();
            if (line == "00" || line == "01") {
                auto* b = make(Kind::Bool);
                b->integer = line == "01";
                push(b);
            } else {
                try {
                    push(makeInt(std::stoll(line)));
                } catch (...) {
                    fail("invalid INT '" + line + "'");
                }
            }
            break;
        }
        case 'L': {
            std::string line = takeLine();
            if (!line.empty() && line.back() == 'L') line.pop_back();
            try {
                push(makeInt(std::stoll(line)));
            } catch (...) {
                fail("invalid or too large LONG '" + line + "'");
            }
            break;
        }
        case 'J': push(makeInt(static_cast<std::int32_t>(takeLe(4)))); break;  // BININT
        case 'K': push(makeInt(static_cast<std::int64_t>(takeLe(1)))); break;  // BININT1
        case 'M': push(makeInt(static_cast<std::int64_t>(takeLe(2)))); break;  // BININT2
        case 0x8a:    // LONG1
        case 0x8b: {  // LONG4
            const auto n = takeLe(op == 0x8a ? 1 : 4);
            if (n > m_size - m_pos) fail("pickle data ends early (file truncated?)");
            const auto* p = take(static_cast<std::size_t>(n));
            auto* v = makeInt(parseLong(p, std::min<std::uint64_t>(n, 8)));
            if (n > 8) v->text.assign(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
            push(v);
            break;
        }
        case 'G': {  // BINFLOAT, big-endian
            const auto* p = take(8);
            std::uint64_t bits = 0;
            for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];
            auto* f = make(Kind::Float);
            std::memcpy(&f->real, &bits, 8);
            push(f);
            break;
        }
        case 'F': {
            auto* f = make(Kind::Float);
            const std::string line = takeLine();
            try {
                f->real = std::stod(line);
            } catch (...) {
                fail("invalid FLOAT '" + line + "'");
            }
            push(f);
            break;
        }
        case 'X': push(makeText(Kind::String, takeString(takeLe(4)))); break;     // BINUNICODE
        case 0x8c: push(makeText(Kind::String, takeString(takeLe(1)))); break;    // SHORT_BINUNICODE
        case 0x8d: push(makeText(Kind::String, takeString(takeLe(8)))); break;    // BINUNICODE8
        case 'T': push(makeText(Kind::String, takeString(takeLe(4)))); break;     // BINSTRING
        case 'U': push(makeText(Kind::String, takeString(takeLe(1)))); break;     // SHORT_BINSTRING
        case 'B': push(makeText(Kind::Bytes, takeString(takeLe(4)))); break;      // BINBYTES
        case 'C': push(makeText(Kind::Bytes, takeString(takeLe(1)))); break;      // SHORT_BINBYTES
        case 0x8e: push(makeText(Kind::Bytes, takeString(takeLe(8)))); break;     // BINBYTES8
        case ')': push(make(Kind::Tuple)); break;                                 // EMPTY_TUPLE
        case 't': {                                                               // TUPLE
            auto* t = make(Kind::Tuple);
            t->items = popToMark();
            push(t);
            break;
        }
        case 0x85:
        case 0x86:
        case 0x87: {  // TUPLE1..3
            auto* t = make(Kind::Tuple);
            t->items.resize(op - 0x84);
            for (auto i = t->items.size(); i-- > 0;) t->items[i] = pop();
            push(t);
            break;
        }
        case ']': push(make(Kind::List)); break;  // EMPTY_LIST
        case 0x8f: push(make(Kind::List)); break;  // EMPTY_SET, read as a list
        case 'l': {                                 // LIST
            auto* l = make(Kind::List);
            l->items = popToMark();
            push(l);
            break;
        }
        case 0x91: {  // FROZENSET
            auto* l = make(Kind::List);
            l->items = popToMark();
            push(l);
            break;
        }
        case 'a': {  // APPEND
            const auto* v = pop();
            mutableTop(Kind::List, "APPEND")->items.push_back(v);
            break;
        }
        case 'e':
        case 0x90: {  // APPENDS, ADDITEMS
            auto values = popToMark();
            auto* l = mutableTop(Kind::List, "APPENDS");
            l->items.insert(l->items.end(), values.begin(), values.end());
            break;
        }
        case '}': push(make(Kind::Dict)); break;  // EMPTY_DICT
        case 'd': {                                // DICT
            auto kv = popToMark();
            if (kv.size() % 2) fail("DICT with an odd number of values");
            auto* d = make(Kind::Dict);
            d->items = std::move(kv);
            push(d);
            break;
        }
        case 's': {  // SETITEM
            const auto* v = pop();
            const auto* k = pop();
            setItems({k, v});
            break;
        }
        case 'u': setItems(popToMark()); break;  // SETITEMS
        case 'c': {                              // GLOBAL
            const std::string module = takeLine();
            const std::string name = takeLine();
            pushGlobal(module, name);
            break;
        }
        case 0x93: {  // STACK_GLOBAL
            const auto* name = pop();
            const auto* module = pop();
            if (name->kind != Kind::String || module->kind != Kind::String) fail("STACK_GLOBAL needs two strings");
            pushGlobal(module->text, name->text);
            break;
        }
        case 'R':
        case 0x81: {  // REDUCE, NEWOBJ
            const auto* args = pop();
            const auto* callable = pop();
            call(callable, args);
            break;
        }
        case 'b': {  // BUILD: the state is recorded, never applied
            const auto* state = pop();
            if (m_stack.empty()) fail("BUILD on an empty stack");
            auto* target = const_cast<PickleValue*>(m_stack.back());
            if (target->kind == Kind::Call) target->items.push_back(state);
            else if (target->kind != Kind::Dict) fail("BUILD applied to the wrong kind of value");
            break;
        }
        case 'Q': {  // BINPERSID
            auto* p = make(Kind::PersistentId);
            p->items = {pop()};
            push(p);
            break;
        }
        case 'P': {  // PERSID
            auto* p = make(Kind::PersistentId);
            p->items = {makeText(Kind::String, takeLine())};
            push(p);
            break;
        }
        case 'p': {  // PUT
            const std::string line = takeLine();
            try {
                memoPut(std::stoull(line));
            } catch (const Failure&) {
                throw;
            } catch (...) {
                fail("invalid PUT");
            }
            break;
        }
        case 'q': memoPut(takeLe(1)); break;               // BINPUT
        case 'r': memoPut(takeLe(4)); break;               // LONG_BINPUT
        case 0x94: memoPut(m_memo.size()); break;          // MEMOIZE
        case 'g': {                                        // GET
            const std::string line = takeLine();
            std::uint64_t key = 0;
            try {
                key = std::stoull(line);
            } catch (...) {
                fail("invalid GET");
            }
            memoGet(key);
            break;
        }
        case 'h': memoGet(takeLe(1)); break;  // BINGET
        case 'j': memoGet(takeLe(4)); break;  // LONG_BINGET
        default: {
            char hex[8];
            std::snprintf(hex, sizeof hex, "0x%02x", op);
            fail(std::string("unsupported pickle opcode ") + hex + " at byte " + std::to_string(m_pos - 1));
        }
        }
    }

    const std::uint8_t* m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
    std::string m_label;
    const PickleGlobalFilter& m_allow;
    std::shared_ptr<PickleDocument> m_doc;
    std::vector<const PickleValue*> m_stack;
    std::vector<std::size_t> m_marks;
    std::map<std::uint64_t, const PickleValue*> m_memo;
};
}  // namespace

Expected<std::shared_ptr<PickleDocument>> readPickle(const std::uint8_t* data, std::size_t size, const std::string& label,
                                                     const PickleGlobalFilter& allowGlobal) {
    return Unpickler(data, size, label, allowGlobal).run();
}

}  // namespace ascope
