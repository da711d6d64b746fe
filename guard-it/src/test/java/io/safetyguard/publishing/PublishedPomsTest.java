package io.safetyguard.publishing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * What Maven Central and users of the BOM rely on, read from the poms as committed: guard-bom lists
 * exactly the published modules (every reactor module but itself and the test-only ones) at the
 * project's version, and the metadata Central requires is there.
 */
class PublishedPomsTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void theBomListsEveryPublishedModuleAtTheProjectVersion() throws Exception {
        Element parent = read(ROOT.resolve("pom.xml"));
        String version = text(parent, "version");
        Set<String> published = new TreeSet<>();
        for (String module : children(child(parent, "modules"), "module")) {
            Element pom = read(ROOT.resolve(module).resolve("pom.xml"));
            boolean testOnly = "true".equals(property(pom, "maven.deploy.skip"));
            if (!module.equals("guard-bom") && !testOnly) {
                published.add(text(pom, "artifactId"));
            }
        }
        assertThat(published).contains("guard-core", "guard-llamacpp").doesNotContain("guard-it");

        Element bom = read(ROOT.resolve("guard-bom/pom.xml"));
        assertThat(text(bom, "version")).as("guard-bom's version").isEqualTo(version);
        assertThat(child(bom, "parent"))
                .as("guard-bom has no parent (it would leak managed versions)")
                .isNull();
        Set<String> listed = new TreeSet<>();
        for (Element dep : elements(child(child(bom, "dependencyManagement"), "dependencies"), "dependency")) {
            assertThat(text(dep, "groupId")).isEqualTo("io.safetyguard");
            assertThat(text(dep, "version")).isIn("${project.version}", version);
            listed.add(text(dep, "artifactId"));
        }
        assertThat(listed).as("modules in guard-bom").isEqualTo(published);
    }

    @Test
    void theParentAndTheBomCarryTheMetadataCentralRequires() throws Exception {
        for (Path pom : List.of(ROOT.resolve("pom.xml"), ROOT.resolve("guard-bom/pom.xml"))) {
            Element p = read(pom);
            for (String required : List.of("name", "description", "url")) {
                assertThat(text(p, required)).as(pom + " <" + required + ">").isNotBlank();
            }
            Element license = child(child(p, "licenses"), "license");
            assertThat(text(license, "name")).as(pom + " licence").isEqualTo("Apache-2.0");
            assertThat(Files.readString(ROOT.resolve("LICENSE"))).contains("Apache License", "Version 2.0");
            assertThat(text(child(child(p, "developers"), "developer"), "name")).isNotBlank();
            assertThat(text(child(p, "scm"), "connection")).startsWith("scm:git:");
            assertThat(text(child(p, "properties"), "project.build.outputTimestamp"))
                    .as(pom + ": reproducible builds")
                    .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        }
    }

    private static Element read(Path pom) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document d = f.newDocumentBuilder().parse(pom.toFile());
        return d.getDocumentElement();
    }

    private static String property(Element pom, String name) {
        Element props = child(pom, "properties");
        return props == null ? null : text(props, name);
    }

    private static Element child(Element e, String name) {
        if (e == null) {
            return null;
        }
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element c && c.getTagName().equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static String text(Element e, String name) {
        Element c = child(e, name);
        return c == null ? null : c.getTextContent().trim();
    }

    private static List<Element> elements(Element e, String name) {
        List<Element> out = new ArrayList<>();
        if (e != null) {
            NodeList nodes = e.getChildNodes();
            for (int i = 0; i < nodes.getLength(); i++) {
                if (nodes.item(i) instanceof Element c && c.getTagName().equals(name)) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    private static List<String> children(Element e, String name) {
        return elements(e, name).stream().map(c -> c.getTextContent().trim()).toList();
    }
}
