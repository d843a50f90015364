<?xml version="1.0" encoding="utf-8"?>{% load static %}
<!-- Shows a Marquee feed (RSS 2.0 or Atom) as a page when it is opened in a browser; feed
     readers ignore it. Served by reviews.views.feeds.feed_stylesheet. -->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:media="http://search.yahoo.com/mrss/"
  exclude-result-prefixes="atom dc media">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat" indent="yes"/>

  <xsl:template match="/">
    <xsl:variable name="title" select="rss/channel/title | atom:feed/atom:title"/>
    <xsl:variable name="home" select="rss/channel/link | atom:feed/atom:link[@rel='alternate']/@href"/>
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <link rel="stylesheet" href="{% static 'css/site.css' %}"/>
        <link rel="icon" href="{% static 'img/favicon.svg' %}" type="image/svg+xml"/>
      </head>
      <body class="page-feed">
{% include "includes/site_header.xml" %}
        <main id="main" class="site-main">
          <div class="wrap wrap--narrow">
            <header class="page-header">
              <p class="page-header__eyebrow">Feed</p>
              <h1 class="page-header__title"><xsl:value-of select="$title"/></h1>
              <p class="page-header__lede"><xsl:value-of select="rss/channel/description | atom:feed/atom:subtitle"/></p>
            </header>
            <div class="feed-about">
              <p>This is a web feed. Copy its address into a feed reader to follow new reviews as they are published.</p>
              <p><a href="{$home}">Read these reviews on the site</a></p>
            </div>
            <ol class="feed-items" role="list">
              <xsl:apply-templates select="rss/channel/item | atom:feed/atom:entry"/>
            </ol>
          </div>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item | atom:entry">
    <xsl:variable name="link" select="link | atom:link[not(@rel) or @rel='alternate']/@href"/>
    <li class="feed-item">
      <h2 class="feed-item__title"><a href="{$link}"><xsl:value-of select="title | atom:title"/></a></h2>
      <p class="card__meta">
        <xsl:if test="media:community/media:starRating">
          <span class="feed-item__rating">Rated <xsl:value-of select="media:community/media:starRating/@average"/> out of 5 · </span>
        </xsl:if>
        <xsl:value-of select="dc:creator | atom:author/atom:name"/>
        <xsl:text> · </xsl:text>
        <xsl:choose>
          <xsl:when test="pubDate"><xsl:value-of select="substring(pubDate, 6, 11)"/></xsl:when>
          <xsl:otherwise><xsl:value-of select="substring(atom:published, 1, 10)"/></xsl:otherwise>
        </xsl:choose>
      </p>
      <xsl:if test="media:content/@url">
        <img class="feed-item__image" src="{media:content/@url}" alt="" loading="lazy"/>
      </xsl:if>
    </li>
  </xsl:template>
</xsl:stylesheet>
