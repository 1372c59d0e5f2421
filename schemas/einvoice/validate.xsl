<?xml version="1.0" encoding="UTF-8"?>
<!--
  dcity: the driver of scripts/einvoice-validate (docs/einvoice-validation.md).

  Checks an e-invoice against the EN 16931 rules (the XSLT of ConnectingEurope) and the
  XRechnung rules (KoSIT's Schematron, compiled with SchXslt), each for the invoice's syntax:
  UBL (Invoice, CreditNote) or CII (CrossIndustryInvoice), chosen by the root element.  Both
  reports are merged into one svrl:schematron-output.  The rule stylesheets are found beside
  this file; fn:transform compiles each once per run, so that one JVM checks many invoices.

  One invoice: the source document (-s:FILE).  The output is a processing instruction
  <?einvoice-validate fatal="N" warning="N" information="N"?> (no text of the invoice can
  forge one: a "<" in text is escaped) and the merged SVRL.

  Many: -it with the parameters dir (a folder's file URI, ending in "/") and out (the same for
  the reports): every *.xml under dir, recursively, gets out/RELATIVE-PATH.svrl, and the
  output (text) a line per file, sorted by path:
      PATH <tab> fatal <tab> warning <tab> information <tab> the fatal rules' ids, space-separated
  or, for a file that cannot be checked,
      PATH <tab> error <tab> why
-->
<xsl:stylesheet version="3.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:xs="http://www.w3.org/2001/XMLSchema"
                xmlns:svrl="http://purl.oclc.org/dsdl/svrl"
                xmlns:ev="urn:x-dcity:einvoice-validate"
                exclude-result-prefixes="xs ev">

  <xsl:output method="xml" encoding="UTF-8" indent="yes"/>

  <xsl:param name="dir" as="xs:string" select="''"/>
  <xsl:param name="out" as="xs:string" select="''"/>

  <xsl:variable name="here" as="xs:anyURI" select="static-base-uri()"/>

  <!-- 'UBL', 'CII' or () by the root element's namespace -->
  <xsl:function name="ev:syntax" as="xs:string?">
    <xsl:param name="doc" as="document-node()"/>
    <xsl:variable name="ns" select="namespace-uri($doc/*)"/>
    <xsl:sequence select="
      if ($ns = ('urn:oasis:names:specification:ubl:schema:xsd:Invoice-2',
                 'urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2')) then 'UBL'
      else if ($ns = 'urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100') then 'CII'
      else ()"/>
  </xsl:function>

  <xsl:function name="ev:not-invoice" as="xs:string">
    <xsl:param name="doc" as="document-node()"/>
    <xsl:sequence select="concat('the root element is {', namespace-uri($doc/*), '}',
      local-name($doc/*), ', not a UBL Invoice or CreditNote or a CII CrossIndustryInvoice')"/>
  </xsl:function>

  <!-- a finding's flag as dcity reads it (lib/einvoice/validate.c): a failed assertion is
       fatal unless it says less, a report information unless it says more -->
  <xsl:function name="ev:flag" as="xs:string">
    <xsl:param name="f" as="element()"/>
    <xsl:variable name="given" select="string($f/@flag)"/>
    <xsl:sequence select="
      if ($given = ('warning', 'warn')) then 'warning'
      else if ($given = ('information', 'info')) then 'information'
      else if ($f/self::svrl:successful-report and $given = '') then 'information'
      else 'fatal'"/>
  </xsl:function>

  <xsl:function name="ev:run" as="element(svrl:schematron-output)">
    <xsl:param name="doc" as="document-node()"/>
    <xsl:param name="stylesheet" as="xs:string"/>
    <xsl:sequence select="transform(map {
        'stylesheet-location': string(resolve-uri($stylesheet, $here)),
        'source-node': $doc })?output/svrl:schematron-output"/>
  </xsl:function>

  <!-- both reports as one -->
  <xsl:function name="ev:svrl" as="element(svrl:schematron-output)">
    <xsl:param name="doc" as="document-node()"/>
    <xsl:param name="syntax" as="xs:string"/>
    <xsl:variable name="reports" select="
      ev:run($doc, concat('EN16931-', $syntax, '-validation.xslt')),
      ev:run($doc, concat('XRechnung-', $syntax, '-validation.xsl'))"/>
    <xsl:variable name="ns" select="$reports/svrl:ns-prefix-in-attribute-values"/>
    <svrl:schematron-output title="EN 16931 and XRechnung ({$syntax})">
      <xsl:for-each-group select="$ns" group-by="concat(@prefix, ' ', @uri)">
        <xsl:copy-of select="." copy-namespaces="no"/>
      </xsl:for-each-group>
      <xsl:copy-of select="$reports/(* except $ns)" copy-namespaces="no"/>
    </svrl:schematron-output>
  </xsl:function>

  <xsl:function name="ev:findings" as="element()*">
    <xsl:param name="r" as="element(svrl:schematron-output)"/>
    <xsl:sequence select="$r//(svrl:failed-assert | svrl:successful-report)"/>
  </xsl:function>

  <xsl:function name="ev:count" as="xs:integer">
    <xsl:param name="r" as="element(svrl:schematron-output)"/>
    <xsl:param name="flag" as="xs:string"/>
    <xsl:sequence select="count(ev:findings($r)[ev:flag(.) = $flag])"/>
  </xsl:function>

  <!-- one invoice -->
  <xsl:template match="/">
    <xsl:variable name="syntax" select="ev:syntax(.)"/>
    <xsl:if test="empty($syntax)">
      <xsl:message terminate="yes" error-code="ev:not-invoice" select="ev:not-invoice(.)"/>
    </xsl:if>
    <xsl:variable name="r" select="ev:svrl(., $syntax)"/>
    <xsl:processing-instruction name="einvoice-validate" select="
      concat('fatal=&quot;', ev:count($r, 'fatal'), '&quot; warning=&quot;',
             ev:count($r, 'warning'), '&quot; information=&quot;',
             ev:count($r, 'information'), '&quot;')"/>
    <xsl:sequence select="$r"/>
  </xsl:template>

  <!-- every invoice of a folder -->
  <xsl:template name="xsl:initial-template">
    <xsl:if test="not(ends-with($dir, '/') and ends-with($out, '/'))">
      <xsl:message terminate="yes" error-code="ev:usage"
                   select="'the parameters dir and out are folder URIs ending in /'"/>
    </xsl:if>
    <!-- the principal output is the summary (scripts/einvoice-validate asks for text) -->
    <xsl:result-document>
      <xsl:for-each select="uri-collection(concat($dir, '?select=*.xml;recurse=yes'))">
        <xsl:sort select="."/>
        <!-- file:/x and file:///x are the same file -->
        <xsl:variable name="path" select="substring-after(replace(string(.), '^file:/+', '/'),
                                                          replace($dir, '^file:/+', '/'))"/>
        <xsl:choose>
          <xsl:when test="not(doc-available(.))">
            <xsl:value-of select="$path, 'error', 'not well-formed XML, or a DOCTYPE'"
                          separator="&#9;"/>
          </xsl:when>
          <xsl:when test="empty(ev:syntax(doc(.)))">
            <xsl:value-of select="$path, 'error', ev:not-invoice(doc(.))" separator="&#9;"/>
          </xsl:when>
          <xsl:otherwise>
            <xsl:variable name="r" select="ev:svrl(doc(.), ev:syntax(doc(.)))"/>
            <xsl:result-document href="{$out}{$path}.svrl">
              <xsl:sequence select="$r"/>
            </xsl:result-document>
            <xsl:value-of select="$path, ev:count($r, 'fatal'), ev:count($r, 'warning'),
              ev:count($r, 'information'),
              string-join(distinct-values(ev:findings($r)[ev:flag(.) = 'fatal']/@id), ' ')"
              separator="&#9;"/>
          </xsl:otherwise>
        </xsl:choose>
        <xsl:text>&#10;</xsl:text>
      </xsl:for-each>
    </xsl:result-document>
  </xsl:template>
</xsl:stylesheet>
