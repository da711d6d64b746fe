// Runs one natives bundle (natives/<platform>/) without a JVM: loads its libraries in libraries.txt order the
// way NativeLibraryLoader does (LoadLibrary by full path on Windows, dlopen on Linux), checks that the JNI
// shim exports the entry points it is given, then makes a greedy generation with llama.cpp + mtmd from the
// loaded libraries (every function is looked up in them, nothing is linked at build time).
//
// The same source is compiled natively (g++, against the linux-x86_64 .so files) and with MinGW (run under
// Wine against the windows-x86_64 DLLs); WindowsNativesUnderWineIT compares the two outputs token for token.
// There is no Windows JVM to run the JNI layer itself; this exercises everything below it.
//
// usage: natives_harness BUNDLE_DIR JNI_SYMBOLS_FILE MODEL MMPROJ IMAGE_PPM N_TOKENS
//   JNI_SYMBOLS_FILE: one exported symbol name per line (JNI_OnLoad, Java_...)
//   IMAGE_PPM:        a binary PPM (P6, maxval 255): the test image as RGB pixels, as the Java side passes them
// stdout: "loaded NAME" per library, for a dispatched bundle "cpu-variant-score FILE N" per CPU variant module and
// "cpu-variant FILE" (the one loaded: the highest score, as the Java loader chooses), "jni-symbols N", "chunks ...", per generated token
// "token ID HEX_OF_PIECE top ID:LOGIT ..." (the five most likely tokens, best first) and a final
// "tokens=ID ID ..." line. Exit status 0 on success; 1 with "error: ..." on stderr.
//
// Build (see native/README.md, "windows-x86_64 under Wine"):
//   g++ -std=c++17 -O1 -I$SRC/include -I$SRC/ggml/include -I$SRC/tools/mtmd natives_harness.cpp -ldl
//   x86_64-w64-mingw32-g++-posix -std=c++17 -O1 -I... natives_harness.cpp -static
// with SRC the llama.cpp tree the bundle was built from (its headers only).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ggml-backend.h"
#include "llama.h"
#include "mtmd-helper.h"
#include "mtmd.h"

#ifdef _WIN32
#include <windows.h>
using Library = HMODULE;
#else
#include <dlfcn.h>
using Library = void *;
#endif

namespace {

[[noreturn]] void fail(const std::string & message) {
    std::fprintf(stderr, "error: %s\n", message.c_str());
    std::fflush(stdout);
    std::exit(1);
}

Library open_library(const std::string & path) {
#ifdef _WIN32
    // what the JVM's System.load does on Windows: LoadLibrary with the full path. The DLL's imports of its
    // siblings (by file name) then resolve to the modules already loaded, which is why the order matters.
    Library h = LoadLibraryA(path.c_str());
    if (h == nullptr) fail("LoadLibrary(" + path + ") failed, Windows error " + std::to_string(GetLastError()));
#else
    Library h = dlopen(path.c_str(), RTLD_NOW | RTLD_GLOBAL);
    if (h == nullptr) fail("dlopen(" + path + ") failed: " + dlerror());
#endif
    return h;
}

void * find_symbol(Library lib, const char * name) {
#ifdef _WIN32
    return reinterpret_cast<void *>(GetProcAddress(lib, name));
#else
    return dlsym(lib, name);
#endif
}

template <typename F> F required(Library lib, const char * lib_name, const char * name) {
    void * p = find_symbol(lib, name);
    if (p == nullptr) fail(std::string(lib_name) + " does not export " + name);
    return reinterpret_cast<F>(p);
}

std::vector<std::string> non_blank_lines(const std::string & path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("cannot read " + path);
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
        if (!line.empty() && line[0] != '#') lines.push_back(line);
    }
    return lines;
}

struct Rgb {
    uint32_t             width  = 0;
    uint32_t             height = 0;
    std::vector<uint8_t> pixels;
};

Rgb read_ppm(const std::string & path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("cannot read " + path);
    std::string magic;
    int         w = 0, h = 0, maxval = 0;
    in >> magic >> w >> h >> maxval;
    in.get();  // the one whitespace byte before the pixels
    if (magic != "P6" || w <= 0 || h <= 0 || maxval != 255) fail(path + " is not a binary 8-bit PPM (P6, maxval 255)");
    Rgb img;
    img.width  = static_cast<uint32_t>(w);
    img.height = static_cast<uint32_t>(h);
    img.pixels.resize(static_cast<size_t>(w) * h * 3);
    in.read(reinterpret_cast<char *>(img.pixels.data()), static_cast<std::streamsize>(img.pixels.size()));
    if (in.gcount() != static_cast<std::streamsize>(img.pixels.size())) fail(path + " is shorter than its header says");
    return img;
}

std::string hex(const std::string & bytes) {
    static const char * digits = "0123456789abcdef";
    std::string         out;
    for (unsigned char c : bytes) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out.empty() ? "-" : out;
}

void quiet(ggml_log_level level, const char * text, void *) {
    if (level == GGML_LOG_LEVEL_ERROR) std::fputs(text, stderr);
}

constexpr int kTop = 5;

}  // namespace

// Looks up llama.cpp / mtmd function `fn` in library `lib`, typed by its declaration in the header.
#define LOOKUP(lib, fn) const auto fn##_ = required<decltype(&fn)>(lib, #lib, #fn)

int main(int argc, char ** argv) {
    if (argc != 7) {
        std::fprintf(stderr, "usage: %s BUNDLE_DIR JNI_SYMBOLS_FILE MODEL MMPROJ IMAGE_PPM N_TOKENS\n", argv[0]);
        return 2;
    }
    const std::string bundle = argv[1];
    const int         n_new  = std::atoi(argv[6]);
    const char        sep    =
#ifdef _WIN32
        '\\';
#else
        '/';
#endif

    // 1. the bundle, in libraries.txt order
    Library ggml = nullptr, llama = nullptr, mtmd = nullptr, shim = nullptr;
    for (const std::string & name : non_blank_lines(bundle + sep + "libraries.txt")) {
        Library h = open_library(bundle + sep + name);
        std::printf("loaded %s\n", name.c_str());
        if (name == "ggml.dll" || name.rfind("libggml.so", 0) == 0) ggml = h;
        if (name.find("llama") != std::string::npos) llama = h;
        if (name.find("mtmd") != std::string::npos) mtmd = h;
        if (name.find("safetyguard_jni") != std::string::npos) shim = h;
    }
    if (llama == nullptr || mtmd == nullptr || shim == nullptr) fail("libraries.txt lacks llama, mtmd or the JNI shim");

    // 1b. a dispatched bundle: ggml-cpu comes as variant modules (cpu-variants.txt), none loaded yet. Like the
    // Java loader, take the one with the highest ggml_backend_score() on this CPU and register it before
    // llama_backend_init (which would otherwise search the working directory for modules itself).
    std::ifstream has_variants(bundle + sep + "cpu-variants.txt");
    if (has_variants) {
        has_variants.close();
        if (ggml == nullptr) fail("libraries.txt lacks ggml, which loads the CPU variant modules");
        const auto load_backend = required<decltype(&ggml_backend_load)>(ggml, "ggml", "ggml_backend_load");
        std::string best;
        int         best_score = 0;
        for (const std::string & variant : non_blank_lines(bundle + sep + "cpu-variants.txt")) {
            Library module = open_library(bundle + sep + variant);
            const auto score = required<int (*)()>(module, variant.c_str(), "ggml_backend_score");
            const int  s     = score();
            std::printf("cpu-variant-score %s %d\n", variant.c_str(), s);
            if (s > best_score) {
                best_score = s;
                best       = variant;
            }
        }
        if (best.empty()) fail("no CPU variant in " + bundle + " runs on this CPU");
        if (load_backend((bundle + sep + best).c_str()) == nullptr) fail("ggml_backend_load refused " + best);
        std::printf("cpu-variant %s\n", best.c_str());
    }

    // 2. the shim's JNI entry points
    const std::vector<std::string> symbols = non_blank_lines(argv[2]);
    if (symbols.empty()) fail(std::string("no symbol names in ") + argv[2]);
    for (const std::string & s : symbols) {
        if (find_symbol(shim, s.c_str()) == nullptr) fail("the JNI shim does not export " + s);
    }
    std::printf("jni-symbols %zu\n", symbols.size());

    // 3. a greedy generation through the C API of the loaded libraries
    LOOKUP(llama, llama_log_set);
    LOOKUP(llama, llama_backend_init);
    LOOKUP(llama, llama_model_default_params);
    LOOKUP(llama, llama_model_load_from_file);
    LOOKUP(llama, llama_model_get_vocab);
    LOOKUP(llama, llama_vocab_n_tokens);
    LOOKUP(llama, llama_vocab_is_eog);
    LOOKUP(llama, llama_token_to_piece);
    LOOKUP(llama, llama_context_default_params);
    LOOKUP(llama, llama_init_from_model);
    LOOKUP(llama, llama_get_logits_ith);
    LOOKUP(llama, llama_batch_get_one);
    LOOKUP(llama, llama_decode);
    LOOKUP(llama, llama_free);
    LOOKUP(llama, llama_model_free);
    LOOKUP(mtmd, mtmd_log_set);
    LOOKUP(mtmd, mtmd_default_marker);
    LOOKUP(mtmd, mtmd_context_params_default);
    LOOKUP(mtmd, mtmd_init_from_file);
    LOOKUP(mtmd, mtmd_support_vision);
    LOOKUP(mtmd, mtmd_bitmap_init);
    LOOKUP(mtmd, mtmd_bitmap_free);
    LOOKUP(mtmd, mtmd_input_chunks_init);
    LOOKUP(mtmd, mtmd_input_chunks_size);
    LOOKUP(mtmd, mtmd_input_chunks_free);
    LOOKUP(mtmd, mtmd_tokenize);
    LOOKUP(mtmd, mtmd_helper_get_n_tokens);
    LOOKUP(mtmd, mtmd_helper_eval_chunks);
    LOOKUP(mtmd, mtmd_free);

    llama_log_set_(quiet, nullptr);
    mtmd_log_set_(quiet, nullptr);
    llama_backend_init_();

    llama_model_params mp = llama_model_default_params_();
    mp.n_gpu_layers       = 0;
    llama_model * model   = llama_model_load_from_file_(argv[3], mp);
    if (model == nullptr) fail(std::string("llama_model_load_from_file failed on ") + argv[3]);
    const llama_vocab * vocab = llama_model_get_vocab_(model);

    llama_context_params cp = llama_context_default_params_();
    cp.n_ctx                = 2048;
    cp.n_batch              = 512;
    cp.n_ubatch             = 512;
    cp.n_threads            = 1;  // one thread: the same order of float operations on both platforms
    cp.n_threads_batch      = 1;
    llama_context * ctx     = llama_init_from_model_(model, cp);
    if (ctx == nullptr) fail("llama_init_from_model failed");

    mtmd_context_params mcp = mtmd_context_params_default_();
    mcp.use_gpu             = false;
    mcp.print_timings       = false;
    mcp.n_threads           = 1;
    mcp.warmup              = false;
    mtmd_context * vision   = mtmd_init_from_file_(argv[4], model, mcp);
    if (vision == nullptr || !mtmd_support_vision_(vision)) fail(std::string("no vision encoder from ") + argv[4]);

    const Rgb     img    = read_ppm(argv[5]);
    mtmd_bitmap * bitmap = mtmd_bitmap_init_(img.width, img.height, img.pixels.data());
    const std::string prompt = std::string("<|im_start|>user\n") + mtmd_default_marker_() +
                               "\nIs this image safe? Answer with a rating.<|im_end|>\n<|im_start|>assistant\n";
    mtmd_input_text      text{ prompt.c_str(), prompt.size(), true, true };
    const mtmd_bitmap *  bitmaps[1] = { bitmap };
    mtmd_input_chunks *  chunks     = mtmd_input_chunks_init_();
    const int32_t        tok_rc     = mtmd_tokenize_(vision, chunks, &text, bitmaps, 1);
    if (tok_rc != 0) fail("mtmd_tokenize returned " + std::to_string(tok_rc));
    std::printf("chunks %zu prompt-tokens %zu\n", mtmd_input_chunks_size_(chunks), mtmd_helper_get_n_tokens_(chunks));

    llama_pos n_past = 0;
    const int32_t eval_rc = mtmd_helper_eval_chunks_(vision, ctx, chunks, 0, 0, cp.n_batch, true, &n_past);
    if (eval_rc != 0) fail("mtmd_helper_eval_chunks returned " + std::to_string(eval_rc));

    const int32_t n_vocab = llama_vocab_n_tokens_(vocab);
    std::string   ids;
    for (int i = 0; i < n_new; i++) {
        const float * logits = llama_get_logits_ith_(ctx, -1);
        if (logits == nullptr) fail("no logits after token " + std::to_string(i));
        // the greedy choice and the runners-up: a random tiny model tends to repeat one token, so the ranking
        // below it (and the logits) is what shows that both platforms computed the same thing
        std::vector<llama_token> top;
        for (llama_token t = 0; t < n_vocab; t++) {
            auto at = top.begin();
            while (at != top.end() && logits[*at] >= logits[t]) ++at;
            if (at - top.begin() < kTop) top.insert(at, t);
            if (static_cast<int>(top.size()) > kTop) top.pop_back();
        }
        const llama_token best = top.front();
        char piece[256];
        const int32_t n = llama_token_to_piece_(vocab, best, piece, sizeof piece, 0, true);
        std::printf("token %d %s top", best, hex(std::string(piece, n > 0 ? n : 0)).c_str());
        for (llama_token t : top) std::printf(" %d:%.6f", t, logits[t]);
        std::printf("\n");
        ids += (ids.empty() ? "" : " ") + std::to_string(best);
        if (llama_vocab_is_eog_(vocab, best)) break;
        llama_token next  = best;
        const int32_t rc  = llama_decode_(ctx, llama_batch_get_one_(&next, 1));
        if (rc != 0) fail("llama_decode returned " + std::to_string(rc) + " at token " + std::to_string(i));
        n_past++;
    }
    std::printf("tokens=%s\n", ids.c_str());

    mtmd_input_chunks_free_(chunks);
    mtmd_bitmap_free_(bitmap);
    mtmd_free_(vision);
    llama_free_(ctx);
    llama_model_free_(model);
    return 0;
}
