package io.safetyguard.llamacpp.internal.natives;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** How the loader names platforms, tells musl from glibc and explains a platform it has no natives for. */
class NativePlatformTest {

    @Test
    void osAndArchNamesOfTheJvmsMapToTheJarsFolderNames() {
        assertThat(NativeLibraryLoader.normaliseOs("Linux")).isEqualTo("linux");
        assertThat(NativeLibraryLoader.normaliseOs("Windows 11")).isEqualTo("windows");
        assertThat(NativeLibraryLoader.normaliseOs("Windows Server 2022")).isEqualTo("windows");
        assertThat(NativeLibraryLoader.normaliseOs("Mac OS X")).isEqualTo("macos");
        assertThat(NativeLibraryLoader.normaliseOs("FreeBSD")).isEqualTo("freebsd");
        assertThat(NativeLibraryLoader.normaliseArch("amd64")).isEqualTo("x86_64");
        assertThat(NativeLibraryLoader.normaliseArch("x86_64")).isEqualTo("x86_64");
        assertThat(NativeLibraryLoader.normaliseArch("aarch64")).isEqualTo("aarch64");
        assertThat(NativeLibraryLoader.normaliseArch("arm64")).isEqualTo("aarch64");
        assertThat(NativeLibraryLoader.normaliseArch("riscv64")).isEqualTo("riscv64");
    }

    @Test
    void muslIsRecognisedByItsLoaderInTheMemoryMap() {
        String alpine = "7f1c2a000000-7f1c2a014000 r--p 00000000 08:01 1234 /lib/ld-musl-x86_64.so.1\n"
                + "7f1c2b000000-7f1c2b001000 r-xp 00000000 08:01 99 /usr/lib/jvm/java-17/lib/server/libjvm.so\n";
        String debian = "7f00aa000000-7f00aa028000 r--p 00000000 08:01 1 /usr/lib/x86_64-linux-gnu/libc.so.6\n"
                + "7f00ab000000-7f00ab001000 r--p 00000000 08:01 2 /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n"
                + "7ffd1000-7ffd2000 rw-p 00000000 00:00 0 [stack]\n";
        assertThat(LinuxLibc.mapsShowMusl(alpine)).isTrue();
        assertThat(LinuxLibc.mapsShowMusl(debian)).isFalse();
        assertThat(LinuxLibc.mapsShowMusl("")).isFalse();
    }

    @Test
    void thisTestJvmIsNotMistakenForMusl() {
        // The build machines run Debian (glibc); a false positive here would refuse every Linux user.
        if (NativeLibraryLoader.os().equals("linux")) {
            assertThat(LinuxLibc.isMusl()).isFalse();
        }
    }

    @Test
    void anUnsupportedPlatformGetsTheListOfPlatformsTheJarCarries() {
        String message = NativeLibraryLoader.unsupportedPlatformMessage(
                "freebsd-x86_64",
                "FreeBSD",
                "amd64",
                new TreeSet<>(Set.of("linux-aarch64", "linux-x86_64", "windows-x86_64")));
        assertThat(message)
                .contains("freebsd-x86_64", "os.name=FreeBSD", "os.arch=amd64")
                .contains("linux-aarch64, linux-x86_64, windows-x86_64")
                .contains("build-natives.sh");
        assertThat(NativeLibraryLoader.muslMessage("linux-x86_64"))
                .contains("musl", "glibc", "natives/linux-x86_64/", NativeLibraryLoader.DIR_PROPERTY);
    }
}
