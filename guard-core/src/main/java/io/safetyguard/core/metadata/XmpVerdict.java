package io.safetyguard.core.metadata;

import io.safetyguard.core.Rating;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The {@code safetyguard:verdict} structure in an XMP packet: written into a new packet or merged
 * into an existing one (other properties kept, an older SafetyGuard verdict replaced), and read
 * back. The XML parser refuses DOCTYPEs, so entity tricks in a hostile packet go nowhere.
 *
 * <pre>{@code
 * <rdf:Description rdf:about="" xmlns:safetyguard="https://safetyguard.io/ns/1.0/">
 *   <safetyguard:verdict rdf:parseType="Resource">
 *     <safetyguard:version>1</safetyguard:version>
 *     <safetyguard:rating>Unsafe</safetyguard:rating>
 *     <safetyguard:modelRating>Unsafe</safetyguard:modelRating>
 *     <safetyguard:category>O2: Violence, Harm, or Cruelty</safetyguard:category>
 *     <safetyguard:probabilityUnsafe>0.93</safetyguard:probabilityUnsafe>
 *     <safetyguard:policyFingerprint>...</safetyguard:policyFingerprint>
 *     <safetyguard:modelId>...</safetyguard:modelId>
 *     <safetyguard:rationale>...</safetyguard:rationale>
 *     <safetyguard:contentDigest>sha256:...</safetyguard:contentDigest>
 *     <safetyguard:stampedAt>2026-01-01T00:00:00Z</safetyguard:stampedAt>
 *   </safetyguard:verdict>
 * </rdf:Description>
 * }</pre>
 */
final class XmpVerdict {

    static final String NS = "https://safetyguard.io/ns/1.0/";
    static final String PREFIX = "safetyguard";
    static final String VERSION = "1";
    static final String X_NS = "adobe:ns:meta/";
    static final String RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private XmpVerdict() {}

    /** A packet carrying {@code verdict}: {@code existing} with any older SafetyGuard verdict replaced, or a new one. */
    static byte[] merge(Optional<byte[]> existing, EmbeddedVerdict verdict) throws VerdictMetadataException {
        Document doc = existing.isPresent() ? parse(existing.get()) : newPacket();
        Element rdf = rdfRoot(doc)
                .orElseThrow(() -> new VerdictMetadataException(
                        "the image's XMP packet has no rdf:RDF element; not merging into it"));
        removeOldVerdicts(rdf);
        rdf.appendChild(description(doc, verdict));
        return serialize(doc);
    }

    /** The verdict in the packet, if it has one. */
    static Optional<EmbeddedVerdict> read(byte[] xmp) throws VerdictMetadataException {
        Document doc = parse(xmp);
        NodeList found = doc.getElementsByTagNameNS(NS, "verdict");
        if (found.getLength() == 0) {
            return Optional.empty();
        }
        if (found.getLength() > 1) {
            throw new VerdictMetadataException(
                    "the XMP packet has " + found.getLength() + " safetyguard:verdict properties; ambiguous");
        }
        return Optional.of(toVerdict(fields((Element) found.item(0))));
    }

    private static Document newPacket() throws VerdictMetadataException {
        Document doc = builder().newDocument();
        doc.appendChild(doc.createProcessingInstruction("xpacket", "begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\""));
        Element meta = doc.createElementNS(X_NS, "x:xmpmeta");
        meta.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:x", X_NS);
        doc.appendChild(meta);
        Element rdf = doc.createElementNS(RDF_NS, "rdf:RDF");
        rdf.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:rdf", RDF_NS);
        meta.appendChild(rdf);
        doc.appendChild(doc.createProcessingInstruction("xpacket", "end=\"w\""));
        return doc;
    }

    private static Element description(Document doc, EmbeddedVerdict v) {
        Element d = doc.createElementNS(RDF_NS, "rdf:Description");
        d.setAttributeNS(RDF_NS, "rdf:about", "");
        d.setAttributeNS(XMLConstants.XMLNS_ATTRIBUTE_NS_URI, "xmlns:" + PREFIX, NS);
        Element s = doc.createElementNS(NS, PREFIX + ":verdict");
        s.setAttributeNS(RDF_NS, "rdf:parseType", "Resource");
        d.appendChild(s);
        add(doc, s, "version", VERSION);
        add(doc, s, "rating", v.rating().label());
        add(doc, s, "modelRating", v.modelRating().label());
        v.categoryLabel().ifPresent(c -> add(doc, s, "category", c));
        v.probabilityUnsafe().ifPresent(p -> add(doc, s, "probabilityUnsafe", Double.toString(p)));
        add(doc, s, "policyFingerprint", v.policyFingerprint());
        add(doc, s, "modelId", v.modelId());
        v.rationale().ifPresent(r -> add(doc, s, "rationale", r));
        add(doc, s, "contentDigest", "sha256:" + v.contentDigest());
        add(doc, s, "stampedAt", v.stampedAt().toString());
        return d;
    }

    private static void add(Document doc, Element parent, String name, String value) {
        Element e = doc.createElementNS(NS, PREFIX + ":" + name);
        e.setTextContent(value);
        parent.appendChild(e);
    }

    /** Drops every safetyguard:verdict, and rdf:Description elements left with nothing in them. */
    private static void removeOldVerdicts(Element rdf) {
        NodeList old = rdf.getElementsByTagNameNS(NS, "verdict");
        List<Element> doomed = new ArrayList<>();
        for (int i = 0; i < old.getLength(); i++) {
            doomed.add((Element) old.item(i));
        }
        for (Element e : doomed) {
            Node parent = e.getParentNode();
            parent.removeChild(e);
            if (parent instanceof Element d && isEmptyDescription(d)) {
                d.getParentNode().removeChild(d);
            }
        }
    }

    private static boolean isEmptyDescription(Element d) {
        if (!RDF_NS.equals(d.getNamespaceURI()) || !"Description".equals(d.getLocalName())) {
            return false;
        }
        for (Node n = d.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.ELEMENT_NODE) {
                return false;
            }
        }
        NamedNodeMap attributes = d.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Attr a = (Attr) attributes.item(i);
            boolean bookkeeping = XMLConstants.XMLNS_ATTRIBUTE_NS_URI.equals(a.getNamespaceURI())
                    || (RDF_NS.equals(a.getNamespaceURI()) && "about".equals(a.getLocalName()));
            if (!bookkeeping) {
                return false;
            }
        }
        return true;
    }

    private static Optional<Element> rdfRoot(Document doc) {
        NodeList list = doc.getElementsByTagNameNS(RDF_NS, "RDF");
        return list.getLength() == 0 ? Optional.empty() : Optional.of((Element) list.item(0));
    }

    /**
     * The structure's fields, from child elements (as written here) or from the attributes and
     * children of a nested rdf:Description (the other form RDF allows for a structure).
     */
    private static Map<String, String> fields(Element verdict) throws VerdictMetadataException {
        Map<String, String> fields = new HashMap<>();
        collect(verdict, fields);
        for (Node n = verdict.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e
                    && RDF_NS.equals(e.getNamespaceURI())
                    && "Description".equals(e.getLocalName())) {
                collect(e, fields);
            }
        }
        return fields;
    }

    private static void collect(Element from, Map<String, String> fields) throws VerdictMetadataException {
        NamedNodeMap attributes = from.getAttributes();
        for (int i = 0; i < attributes.getLength(); i++) {
            Attr a = (Attr) attributes.item(i);
            if (NS.equals(a.getNamespaceURI())) {
                put(fields, a.getLocalName(), a.getValue());
            }
        }
        for (Node n = from.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && NS.equals(e.getNamespaceURI())) {
                for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
                    if (c.getNodeType() == Node.ELEMENT_NODE) {
                        throw new VerdictMetadataException(
                                "safetyguard:" + e.getLocalName() + " in the XMP packet is not a simple value");
                    }
                }
                put(fields, e.getLocalName(), e.getTextContent());
            }
        }
    }

    private static void put(Map<String, String> fields, String name, String value) throws VerdictMetadataException {
        if (fields.put(name, value) != null) {
            throw new VerdictMetadataException("safetyguard:" + name + " appears twice in the XMP verdict");
        }
    }

    private static EmbeddedVerdict toVerdict(Map<String, String> f) throws VerdictMetadataException {
        String version = required(f, "version");
        if (!VERSION.equals(version)) {
            throw new VerdictMetadataException(
                    "safetyguard:verdict has version " + version + "; this SafetyGuard reads version " + VERSION);
        }
        Rating rating = rating(f, "rating");
        Rating modelRating = rating(f, "modelRating");
        OptionalDouble p = OptionalDouble.empty();
        if (f.containsKey("probabilityUnsafe")) {
            String text = f.get("probabilityUnsafe").strip();
            double value;
            try {
                value = Double.parseDouble(text);
            } catch (NumberFormatException e) {
                throw new VerdictMetadataException("safetyguard:probabilityUnsafe is not a number: " + quote(text));
            }
            if (!(value >= 0 && value <= 1)) {
                throw new VerdictMetadataException("safetyguard:probabilityUnsafe is outside [0, 1]: " + quote(text));
            }
            p = OptionalDouble.of(value);
        }
        String digest = required(f, "contentDigest").strip();
        if (!DIGEST.matcher(digest).matches()) {
            throw new VerdictMetadataException(
                    "safetyguard:contentDigest is not sha256:<64 hex digits>: " + quote(digest));
        }
        Instant stampedAt;
        try {
            stampedAt = Instant.parse(required(f, "stampedAt").strip());
        } catch (DateTimeParseException e) {
            throw new VerdictMetadataException(
                    "safetyguard:stampedAt is not an ISO-8601 instant: " + quote(f.get("stampedAt")));
        }
        return new EmbeddedVerdict(
                rating,
                modelRating,
                Optional.ofNullable(f.get("category")),
                p,
                required(f, "policyFingerprint"),
                required(f, "modelId"),
                Optional.ofNullable(f.get("rationale")),
                digest.substring("sha256:".length()),
                stampedAt,
                false);
    }

    private static Rating rating(Map<String, String> f, String name) throws VerdictMetadataException {
        String text = required(f, name);
        return Rating.fromLabel(text)
                .orElseThrow(() -> new VerdictMetadataException(
                        "safetyguard:" + name + " is neither Safe nor Unsafe: " + quote(text)));
    }

    private static String required(Map<String, String> f, String name) throws VerdictMetadataException {
        String value = f.get(name);
        if (value == null || value.isBlank()) {
            throw new VerdictMetadataException("safetyguard:verdict in the XMP packet lacks safetyguard:" + name);
        }
        return value;
    }

    private static String quote(String s) {
        return "\"" + (s.length() > 80 ? s.substring(0, 80) + "..." : s) + "\"";
    }

    private static Document parse(byte[] xmp) throws VerdictMetadataException {
        if (xmp.length > ImageContainer.MAX_XMP_BYTES) {
            throw PngContainer.tooLarge(xmp.length);
        }
        try {
            // XMP packets may be padded with trailing whitespace and NULs in some writers' output.
            int end = xmp.length;
            while (end > 0 && xmp[end - 1] == 0) {
                end--;
            }
            return builder().parse(new ByteArrayInputStream(xmp, 0, end));
        } catch (SAXException | IOException e) {
            throw new VerdictMetadataException("the image's XMP packet is not well-formed XML: " + e.getMessage(), e);
        }
    }

    private static DocumentBuilder builder() throws VerdictMetadataException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setXIncludeAware(false);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(new DefaultHandler()); // errors as exceptions, not stderr lines
            return b;
        } catch (ParserConfigurationException e) {
            throw new VerdictMetadataException(
                    "the JDK's XML parser cannot be configured securely: " + e.getMessage(), e);
        }
    }

    private static byte[] serialize(Document doc) throws VerdictMetadataException {
        try {
            TransformerFactory tf = TransformerFactory.newInstance();
            tf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            Transformer t = tf.newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            t.setOutputProperty(OutputKeys.INDENT, "no");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            t.transform(new DOMSource(doc), new StreamResult(out));
            return out.toByteArray();
        } catch (TransformerException e) {
            throw new VerdictMetadataException("cannot serialise the XMP packet: " + e.getMessage(), e);
        }
    }
}
