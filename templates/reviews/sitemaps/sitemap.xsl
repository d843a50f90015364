<?xml version="1.0" encoding="utf-8"?>{% load static %}
<!-- Shows the sitemap index and its sections as a page of links when opened in a browser;
     crawlers ignore it. Served by reviews.sitemaps.sitemap_stylesheet. -->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"
  exclude-result-prefixes="sm">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat" indent="yes"/>

  <xsl:template match="/">
    <xsl:variable name="links" select="sm:sitemapindex/sm:sitemap | sm:urlset/sm:url"/>
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title>Sitemap — Marquee</title>
        <link rel="stylesheet" href="{% static 'css/site.css' %}"/>
        <link rel="icon" href="{% static 'img/favicon.svg' %}" type="image/svg+xml"/>
      </head>
      <body class="page-feed">
{% include "includes/site_header.xml" %}
        <main id="main" class="site-main">
          <div class="wrap wrap--narrow">
            <header class="page-header">
              <p class="page-header__eyebrow">Sitemap</p>
              <h1 class="page-header__title">
                <xsl:choose>
                  <xsl:when test="sm:sitemapindex">Sitemap index</xsl:when>
                  <xsl:otherwise>Sitemap</xsl:otherwise>
                </xsl:choose>
              </h1>
              <p class="page-header__lede"><xsl:value-of select="count($links)"/> links</p>
            </header>
            <div class="feed-about">
              <p>This is a sitemap: it lists the site’s public pages for search engines.</p>
              <p><a href="/">Go to the front page</a></p>
            </div>
            <ol class="feed-items" role="list">
              <xsl:apply-templates select="$links"/>
            </ol>
          </div>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="sm:sitemap | sm:url">
    <li class="feed-item">
      <a href="{sm:loc}"><xsl:value-of select="sm:loc"/></a>
      <xsl:if test="sm:lastmod">
        <p class="card__meta">Changed <xsl:value-of select="substring(sm:lastmod, 1, 10)"/></p>
      </xsl:if>
    </li>
  </xsl:template>
</xsl:stylesheet>
