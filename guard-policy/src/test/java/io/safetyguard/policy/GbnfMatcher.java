package io.safetyguard.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small GBNF recognizer for tests: parses the subset of llama.cpp's GBNF that {@link
 * VerdictGrammar} emits (rules, alternatives, groups, string literals, character classes,
 * {@code * + ? {m} {m,} {m,n}}, comments) with llama.cpp's line rules (a line break ends a rule
 * unless it follows {@code ::=} or {@code |} or is inside parentheses), and decides whether the
 * whole input matches rule {@code root}. Matching computes the set of end positions of each
 * element, so bounded repetitions need no deep recursion.
 */
final class GbnfMatcher {

    private interface Node {}

    private record Lit(int[] cps) implements Node {}

    private record CharClass(boolean negated, List<int[]> ranges) implements Node {}

    private record Ref(String name) implements Node {}

    private record Seq(List<Node> items) implements Node {}

    private record Alt(List<Node> alternatives) implements Node {}

    private record Rep(Node node, int min, int max) implements Node {}

    private final Map<String, Node> rules;

    private GbnfMatcher(Map<String, Node> rules) {
        this.rules = rules;
    }

    /** Parses a grammar; throws IllegalArgumentException where llama.cpp's parser would fail. */
    static GbnfMatcher parse(String grammar) {
        Map<String, Node> rules = new Parser(grammar).parseGrammar();
        if (!rules.containsKey("root")) {
            throw new IllegalArgumentException("grammar has no root rule");
        }
        for (Node n : rules.values()) {
            checkRefs(n, rules);
        }
        return new GbnfMatcher(rules);
    }

    /** Rule names in definition order. */
    Set<String> ruleNames() {
        return rules.keySet();
    }

    /** Whether the whole input is a sentence of rule {@code root}. */
    boolean matches(String input) {
        int[] cps = input.codePoints().toArray();
        return new Run(cps).ends(new Ref("root"), 0).contains(cps.length);
    }

    private static void checkRefs(Node n, Map<String, Node> rules) {
        if (n instanceof Ref r) {
            if (!rules.containsKey(r.name())) {
                throw new IllegalArgumentException("undefined rule " + r.name());
            }
        } else if (n instanceof Seq s) {
            s.items().forEach(i -> checkRefs(i, rules));
        } else if (n instanceof Alt a) {
            a.alternatives().forEach(i -> checkRefs(i, rules));
        } else if (n instanceof Rep r) {
            checkRefs(r.node(), rules);
        }
    }

    private final class Run {
        private final int[] in;
        private final Map<String, Map<Integer, Set<Integer>>> memo = new HashMap<>();

        Run(int[] in) {
            this.in = in;
        }

        Set<Integer> ends(Node n, int pos) {
            Set<Integer> out = new HashSet<>();
            if (n instanceof Lit l) {
                int[] cps = l.cps();
                if (pos + cps.length <= in.length) {
                    for (int i = 0; i < cps.length; i++) {
                        if (in[pos + i] != cps[i]) {
                            return out;
                        }
                    }
                    out.add(pos + cps.length);
                }
            } else if (n instanceof CharClass c) {
                if (pos < in.length) {
                    boolean inRange = false;
                    for (int[] r : c.ranges()) {
                        inRange |= in[pos] >= r[0] && in[pos] <= r[1];
                    }
                    if (inRange != c.negated()) {
                        out.add(pos + 1);
                    }
                }
            } else if (n instanceof Ref r) {
                Map<Integer, Set<Integer>> m = memo.computeIfAbsent(r.name(), k -> new HashMap<>());
                Set<Integer> cached = m.get(pos);
                if (cached != null) {
                    return cached;
                }
                m.put(pos, Set.of()); // no left recursion in the grammars under test
                Set<Integer> result = ends(rules.get(r.name()), pos);
                m.put(pos, result);
                return result;
            } else if (n instanceof Seq s) {
                Set<Integer> cur = Set.of(pos);
                for (Node item : s.items()) {
                    Set<Integer> next = new HashSet<>();
                    for (int p : cur) {
                        next.addAll(ends(item, p));
                    }
                    if (next.isEmpty()) {
                        return next;
                    }
                    cur = next;
                }
                out.addAll(cur);
            } else if (n instanceof Alt a) {
                for (Node alt : a.alternatives()) {
                    out.addAll(ends(alt, pos));
                }
            } else if (n instanceof Rep r) {
                Set<Integer> cur = Set.of(pos);
                Set<Integer> seen = new HashSet<>(cur);
                if (r.min() == 0) {
                    out.add(pos);
                }
                for (int i = 1; r.max() < 0 || i <= r.max(); i++) {
                    Set<Integer> next = new HashSet<>();
                    for (int p : cur) {
                        next.addAll(ends(r.node(), p));
                    }
                    if (r.max() < 0) {
                        next.removeAll(seen); // unbounded: stop once no new position appears
                        seen.addAll(next);
                    }
                    if (i >= r.min()) {
                        out.addAll(next);
                    }
                    if (next.isEmpty()) {
                        break;
                    }
                    cur = next;
                }
            }
            return out;
        }
    }

    /** Recursive-descent parser mirroring llama.cpp's llama-grammar.cpp. */
    private static final class Parser {
        private final String src;
        private int pos;

        Parser(String src) {
            this.src = src;
        }

        Map<String, Node> parseGrammar() {
            Map<String, Node> rules = new LinkedHashMap<>();
            space(true);
            while (pos < src.length()) {
                String name = name();
                space(false);
                if (!src.startsWith("::=", pos)) {
                    throw error("expecting ::=");
                }
                pos += 3;
                space(true);
                Node body = alternates(false);
                if (pos < src.length()) {
                    char c = src.charAt(pos);
                    if (c == '\r') {
                        pos += src.startsWith("\r\n", pos) ? 2 : 1;
                    } else if (c == '\n') {
                        pos++;
                    } else {
                        throw error("expecting newline or end");
                    }
                }
                space(true);
                if (rules.put(name, body) != null) {
                    throw new IllegalArgumentException("rule " + name + " defined twice");
                }
            }
            return rules;
        }

        private Node alternates(boolean nested) {
            List<Node> alts = new ArrayList<>();
            alts.add(sequence(nested));
            while (pos < src.length() && src.charAt(pos) == '|') {
                pos++;
                space(true);
                alts.add(sequence(nested));
            }
            return alts.size() == 1 ? alts.get(0) : new Alt(alts);
        }

        private Node sequence(boolean nested) {
            List<Node> items = new ArrayList<>();
            while (pos < src.length()) {
                char c = src.charAt(pos);
                if (c == '"') {
                    pos++;
                    List<Integer> cps = new ArrayList<>();
                    while (true) {
                        if (pos >= src.length()) {
                            throw error("unexpected end of input in literal");
                        }
                        if (src.charAt(pos) == '"') {
                            break;
                        }
                        cps.add(character());
                    }
                    pos++;
                    items.add(new Lit(cps.stream().mapToInt(Integer::intValue).toArray()));
                    space(nested);
                } else if (c == '[') {
                    pos++;
                    boolean negated = pos < src.length() && src.charAt(pos) == '^';
                    if (negated) {
                        pos++;
                    }
                    List<int[]> ranges = new ArrayList<>();
                    while (true) {
                        if (pos >= src.length()) {
                            throw error("unexpected end of input in class");
                        }
                        if (src.charAt(pos) == ']') {
                            break;
                        }
                        int lo = character();
                        int hi = lo;
                        if (src.charAt(pos) == '-' && pos + 1 < src.length() && src.charAt(pos + 1) != ']') {
                            pos++;
                            hi = character();
                        }
                        ranges.add(new int[] {lo, hi});
                    }
                    pos++;
                    items.add(new CharClass(negated, ranges));
                    space(nested);
                } else if (isWordChar(c)) {
                    items.add(new Ref(name()));
                    space(nested);
                } else if (c == '(') {
                    pos++;
                    space(true);
                    Node inner = alternates(true);
                    if (pos >= src.length() || src.charAt(pos) != ')') {
                        throw error("expecting ')'");
                    }
                    pos++;
                    items.add(inner);
                    space(nested);
                } else if (c == '*' || c == '+' || c == '?' || c == '{') {
                    if (items.isEmpty()) {
                        throw error("expecting preceding item to */+/?/{");
                    }
                    Node last = items.remove(items.size() - 1);
                    int min;
                    int max;
                    pos++;
                    if (c == '*') {
                        min = 0;
                        max = -1;
                    } else if (c == '+') {
                        min = 1;
                        max = -1;
                    } else if (c == '?') {
                        min = 0;
                        max = 1;
                    } else {
                        space(nested);
                        min = integer();
                        space(nested);
                        max = min;
                        if (src.charAt(pos) == ',') {
                            pos++;
                            space(nested);
                            max = Character.isDigit(src.charAt(pos)) ? integer() : -1;
                            space(nested);
                        }
                        if (src.charAt(pos) != '}') {
                            throw error("expecting '}'");
                        }
                        pos++;
                        if (max > 2000) {
                            throw error("llama.cpp would make a bound above 2000 unbounded");
                        }
                    }
                    items.add(new Rep(last, min, max));
                    space(nested);
                } else {
                    break;
                }
            }
            return items.size() == 1 ? items.get(0) : new Seq(items);
        }

        private int character() {
            char c = src.charAt(pos);
            if (c != '\\') {
                int cp = src.codePointAt(pos);
                pos += Character.charCount(cp);
                return cp;
            }
            if (pos + 1 >= src.length()) {
                throw error("unexpected end of input after \\");
            }
            char e = src.charAt(pos + 1);
            pos += 2;
            switch (e) {
                case 'x':
                    return hex(2);
                case 'u':
                    return hex(4);
                case 'U':
                    return hex(8);
                case 't':
                    return '\t';
                case 'r':
                    return '\r';
                case 'n':
                    return '\n';
                case '\\':
                case '"':
                case '[':
                case ']':
                    return e;
                default:
                    throw error("unknown escape \\" + e);
            }
        }

        private int hex(int digits) {
            if (pos + digits > src.length()) {
                throw error("expecting " + digits + " hex digits");
            }
            int v = Integer.parseInt(src.substring(pos, pos + digits), 16);
            pos += digits;
            return v;
        }

        private int integer() {
            int start = pos;
            while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                pos++;
            }
            if (start == pos) {
                throw error("expecting an int");
            }
            return Integer.parseInt(src.substring(start, pos));
        }

        private String name() {
            int start = pos;
            while (pos < src.length() && isWordChar(src.charAt(pos))) {
                pos++;
            }
            if (start == pos) {
                throw error("expecting name");
            }
            return src.substring(start, pos);
        }

        private static boolean isWordChar(char c) {
            return c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
        }

        private void space(boolean newlineOk) {
            while (pos < src.length()) {
                char c = src.charAt(pos);
                if (c == '#') {
                    while (pos < src.length() && src.charAt(pos) != '\n' && src.charAt(pos) != '\r') {
                        pos++;
                    }
                } else if (c == ' ' || c == '\t' || newlineOk && (c == '\n' || c == '\r')) {
                    pos++;
                } else {
                    break;
                }
            }
        }

        private IllegalArgumentException error(String what) {
            int end = Math.min(src.length(), pos + 30);
            return new IllegalArgumentException(
                    what + " at offset " + pos + ": " + src.substring(pos, end).replace("\n", "\\n"));
        }
    }
}
